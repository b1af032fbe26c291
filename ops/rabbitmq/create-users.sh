#!/usr/bin/env bash
# One RabbitMQ user per walletgraph service, allowed only what that service publishes and
# consumes (docs/security.md explains every permission). Run it where rabbitmqctl reaches the
# broker, as its administrator, with a password of its own for each service:
#
#   IDENTITY_AMQP_PASSWORD=… WALLET_AMQP_PASSWORD=… JARS_AMQP_PASSWORD=… \
#   TRANSACTIONS_AMQP_PASSWORD=… LEDGER_AMQP_PASSWORD=… GATEWAY_AMQP_PASSWORD=… \
#     bash ops/rabbitmq/create-users.sh
#
# then give each service its own AMQP_URL, e.g. amqp://walletgraph-ledger:…@broker:5672/<vhost>.
# Running it again sets the passwords and permissions anew. Settings: RABBITMQ_VHOST (default
# /), EVENTS_EXCHANGE (default walletgraph, as the services'), RABBITMQCTL (default rabbitmqctl;
# e.g. "docker compose exec -T rabbitmq rabbitmqctl"). Afterwards delete the guest user
# (`rabbitmqctl delete_user guest`): production refuses it anyway (platform/src/config.ts).
#
# The permissions follow the code: the queues are <exchange>.<service>.<consumer> (consumer
# names begin with their service's name), the routing keys begin with the event's type
# (contracts/events/src/routing.ts). tests/contract/broker-permissions.test.ts checks this
# script against every consumer and every event each service emits.
set -euo pipefail

vhost="${RABBITMQ_VHOST:-/}"
exchange="${EVENTS_EXCHANGE:-walletgraph}"
read -r -a ctl <<<"${RABBITMQCTL:-rabbitmqctl}"

# The exchange name goes into regular expressions unescaped: letters, digits, - and _ only.
if [[ ! "$exchange" =~ ^[A-Za-z0-9_-]+$ ]]; then
  echo "EVENTS_EXCHANGE: letters, digits, - and _ only (got '$exchange')" >&2
  exit 2
fi
x="$exchange"

# Every service's connection declares the events exchange with its alternate exchange and the
# unroutable queue (amqp-topology.ts assertEventsExchange): configure on the three, read on the
# exchange and write on the alternate exchange (a declaration naming an AE), write on the queue
# and read on its exchange (the binding).
declare_configure="${x}|${x}\.unroutable"
declare_write="${x}\.unroutable"
declare_read="${x}|${x}\.unroutable"

# A subgraph also publishes to the events exchange, owns its consumers' queues
# (<exchange>.<service>.*: main, .dlq, .retry.<ms>), and moves failed messages to its retry and
# dead-letter queues through the default exchange (amq.default), which its queues also name as
# their dead-letter exchange.
service() {
  local name=$1 publishes=$2 consumes=$3
  local password_var
  password_var="$(tr '[:lower:]' '[:upper:]' <<<"$name")_AMQP_PASSWORD"
  local password="${!password_var:-}"
  if [ -z "$password" ]; then
    echo "$password_var: required (the password of walletgraph-$name)" >&2
    exit 2
  fi
  local own="${x}\.${name}\..+"
  user "walletgraph-$name" "$password" \
    "^(${declare_configure}|${own})$" \
    "^(${x}|${declare_write}|amq\.default|${own})$" \
    "^(${declare_read}|${own})$"
  # Routing keys: the event types it publishes, with any topic; bindings: the types it consumes.
  "${ctl[@]}" set_topic_permissions -p "$vhost" "walletgraph-$name" "$x" "^(${publishes})(\..+)?$" "^(${consumes})\..+$"
}

user() {
  local name=$1 password=$2 configure=$3 write=$4 read=$5
  "${ctl[@]}" add_user "$name" "$password" >/dev/null 2>&1 || "${ctl[@]}" change_password "$name" "$password"
  "${ctl[@]}" set_permissions -p "$vhost" "$name" "$configure" "$write" "$read"
}

# The types, with their dots escaped, as the broker reads them in a regular expression.
service identity \
  'identity\.user_registered\.v1|identity\.user_updated\.v1|identity\.email_verification_requested\.v1|identity\.email_verified\.v1|identity\.sessions_revoked\.v1|identity\.address_reuse_attempted\.v1' \
  'identity\.email_verification_requested\.v1|identity\.address_reuse_attempted\.v1|identity\.sessions_revoked\.v1|wallet\.counterparty_added\.v1|live\.notices\.v1'
service wallet \
  'wallet\.opened\.v1|wallet\.archive_requested\.v1|wallet\.archived\.v1|wallet\.counterparty_added\.v1' \
  'identity\.user_registered\.v1|ledger\.wallet_closed\.v1|ledger\.wallet_close_refused\.v1|transactions\.operation_settled\.v1'
service jars \
  'jars\.jar_created\.v1|jars\.jar_archived\.v1|jars\.goal_achieved\.v1|jars\.budget_threshold_reached\.v1|ledger\.post\.v1|ledger\.sweep\.v1|live\.notices\.v1' \
  'wallet\.opened\.v1|ledger\.posted\.v1|transactions\.operation_settled\.v1|jars\.jar_created\.v1|jars\.jar_archived\.v1|jars\.goal_achieved\.v1|jars\.budget_threshold_reached\.v1'
service transactions \
  'transactions\.operation_settled\.v1|ledger\.post\.v1|live\.notices\.v1' \
  'identity\.email_verified\.v1|wallet\.opened\.v1|wallet\.archived\.v1|jars\.jar_created\.v1|jars\.jar_archived\.v1|ledger\.posted\.v1|ledger\.rejected\.v1'
service ledger \
  'ledger\.posted\.v1|ledger\.rejected\.v1|ledger\.wallet_closed\.v1|ledger\.wallet_close_refused\.v1|live\.notices\.v1' \
  'wallet\.opened\.v1|jars\.jar_created\.v1|wallet\.archive_requested\.v1|wallet\.archived\.v1|jars\.jar_archived\.v1|ledger\.post\.v1|ledger\.sweep\.v1'

# The gateway's runtime connects to declare the exchange and to report the broker in /readyz;
# it publishes and consumes nothing.
if [ -z "${GATEWAY_AMQP_PASSWORD:-}" ]; then
  echo "GATEWAY_AMQP_PASSWORD: required (the password of walletgraph-gateway)" >&2
  exit 2
fi
user walletgraph-gateway "$GATEWAY_AMQP_PASSWORD" "^(${declare_configure})$" "^(${declare_write})$" "^(${declare_read})$"
"${ctl[@]}" set_topic_permissions -p "$vhost" walletgraph-gateway "$x" '^$' '^$'
