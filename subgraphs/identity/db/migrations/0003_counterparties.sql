CREATE TABLE "counterparties" (
	"viewer_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"since" timestamp with time zone NOT NULL,
	CONSTRAINT "counterparties_viewer_id_user_id_pk" PRIMARY KEY("viewer_id","user_id")
);
