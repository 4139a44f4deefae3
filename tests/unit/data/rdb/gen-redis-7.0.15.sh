#!/bin/sh
# Regenerates redis-7.0.15.rdb with a real redis-server 7.0.15: the data set
# that tests/unit/test_rdb.c (test_redis_fixture) expects, key by key.
# Usage: gen-redis-7.0.15.sh [output file]
set -eu

out=${1:-$(cd "$(dirname "$0")" && pwd)/redis-7.0.15.rdb}
dir=$(mktemp -d)
port=$(( 20000 + $$ % 20000 ))

redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" \
    --dbfilename dump.rdb --save '' --appendonly no --daemonize no \
    --enable-debug-command local --list-max-listpack-size 16 \
    --list-compress-depth 1 --loglevel warning >"$dir/log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || :; rm -rf "$dir"' EXIT

cli() { redis-cli -h 127.0.0.1 -p "$port" "$@" >/dev/null; }
i=0
until redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1; do
	i=$((i + 1)); [ $i -lt 100 ] || { cat "$dir/log"; exit 1; }
	sleep 0.1
done

# Strings: plain, integer encodings, empty, binary, LZF-compressed, TTL.
cli set str:small hello
cli set str:int8 -7
cli set str:int16 1234
cli set str:int32 2147483647
cli set str:big 1234567890123
cli set str:empty ''
printf 'a\000b\r\nc' | redis-cli -h 127.0.0.1 -p "$port" -x set str:bin >/dev/null
cli set str:lzf "$(awk 'BEGIN { for (i = 0; i < 200; i++) printf "abc" }')"
cli set str:ttl v PXAT 4102444800000

# Lists: one small listpack node, many (compressed) nodes, a plain node.
cli rpush list:small a b 1 2 -300 70000 ''
cli pexpireat list:small 4102444800123
for i in $(seq 0 299); do echo "item-$i"; done | xargs redis-cli -h 127.0.0.1 \
    -p "$port" rpush list:large >/dev/null
cli debug quicklist-packed-threshold 100
cli rpush list:plain head "$(awk 'BEGIN { for (i = 0; i < 150; i++) printf "x" }')" tail

# Hashes: listpack and hashtable.
cli hset hash:small f1 v1 f2 42 empty ''
cli pexpireat hash:small 4102444800456
for i in $(seq 0 599); do echo "field-$i value-$i"; done | xargs redis-cli \
    -h 127.0.0.1 -p "$port" hset hash:large >/dev/null

# Sets: intset, hashtable of strings, large integer set (hashtable).
cli sadd set:int 1 2 3 -5 100000 5000000000
cli sadd set:str a b c
cli pexpireat set:str 4102444800789
for i in $(seq 0 599); do echo "$i"; done | xargs redis-cli -h 127.0.0.1 \
    -p "$port" sadd set:large >/dev/null

# A second database.
cli -n 2 set db2:key x

cli save
cp "$dir/dump.rdb" "$out"
redis-cli -h 127.0.0.1 -p "$port" shutdown nosave >/dev/null 2>&1 || :
wait "$pid" 2>/dev/null || :
echo "wrote $out"
