CREATE TABLE "counterparties" (
	"viewer_id" uuid NOT NULL,
	"wallet_id" uuid NOT NULL,
	"since" timestamp with time zone NOT NULL,
	CONSTRAINT "counterparties_viewer_id_wallet_id_pk" PRIMARY KEY("viewer_id","wallet_id")
);
