#!/bin/bash
# t12-cli-files: large streamed bodies both ways through sockwarden: docker cp
# of a 50 MB file in and out (sha256 equal on host, in the container, back on
# the host), a classic-builder build (full-duplex POST /build with a RUN and
# a COPY step), and docker save | docker load.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
sw_need_engine
sw_proxy_start

# --- cp, 50 MB of random bytes, in then out
dd if=/dev/urandom of="$TEST_DIR/big.bin" bs=1M count=50 status=none
sum=$(sha256sum < "$TEST_DIR/big.bin" | cut -d' ' -f1)
name=$(sw_name cp)
dk run -d --name "$name" "$SW_IMAGE" sleep 300 > /dev/null
dk cp "$TEST_DIR/big.bin" "$name:/tmp/big.bin" || fail "docker cp into the container failed"
insum=$(dk_direct exec "$name" sha256sum /tmp/big.bin | cut -d' ' -f1)
assert_eq "$sum" "$insum" "sha256 of the file copied into the container"
dk_direct exec "$name" sh -c 'cp /tmp/big.bin /tmp/back.bin && echo tail >> /tmp/back.bin'
dk cp "$name:/tmp/back.bin" "$TEST_DIR/back.bin" || fail "docker cp out of the container failed"
want=$( (cat "$TEST_DIR/big.bin"; echo tail) | sha256sum | cut -d' ' -f1)
assert_eq "$want" "$(sha256sum < "$TEST_DIR/back.bin" | cut -d' ' -f1)" \
    "sha256 of the file copied out of the container"
# and a tar stream on stdout (docker cp CONTAINER:PATH -)
dk cp "$name:/tmp/big.bin" - | tar -xO -f - big.bin | sha256sum | cut -d' ' -f1 > "$TEST_DIR/s3"
assert_eq "$sum" "$(cat "$TEST_DIR/s3")" "sha256 via docker cp to stdout"
# a reader that stalls: sockwarden must apply backpressure (bounded buffers),
# not swallow the 50 MB while the client does not read
if [ -n "${SW_PID:-}" ]; then
	rss0=$(awk '/^VmRSS/ { print $2 }' "/proc/$SW_PID/status")
	dk cp "$name:/tmp/big.bin" - | {
		sleep 3
		awk '/^VmRSS/ { print $2 }' "/proc/$SW_PID/status" > "$TEST_DIR/rss1"
		tar -xO -f - big.bin | sha256sum | cut -d' ' -f1 > "$TEST_DIR/s4"
	}
	assert_eq "$sum" "$(cat "$TEST_DIR/s4")" "sha256 via docker cp to a stalled reader"
	grow=$(( $(cat "$TEST_DIR/rss1") - rss0 ))
	note "VmRSS $rss0 KiB before, $(cat "$TEST_DIR/rss1") KiB while a 50 MB download stalled 3 s (+$grow KiB)"
	[ $grow -lt 16384 ] ||
	    fail "sockwarden grew by $grow KiB while its client stalled on a 50 MB download: no backpressure"
fi
dk rm -f "$name" > /dev/null

# --- classic builder: FROM, COPY, RUN; the context includes the 50 MB file
ctx=$TEST_DIR/ctx
mkdir -p "$ctx"
echo "payload-$$" > "$ctx/payload.txt"
mv "$TEST_DIR/big.bin" "$ctx/big.bin"
cat > "$ctx/Dockerfile" <<EOF
FROM $SW_IMAGE
COPY payload.txt big.bin /data/
RUN cat /data/payload.txt > /data/out.txt && sha256sum /data/big.bin | cut -d' ' -f1 >> /data/out.txt && echo built >> /data/out.txt
CMD ["cat", "/data/out.txt"]
EOF
tag=swtest/built-$$:latest
DOCKER_BUILDKIT=0 dk build -t "$tag" "$ctx" > "$TEST_DIR/build.out" 2>&1 ||
    fail "DOCKER_BUILDKIT=0 docker build failed: $(tail -n 20 "$TEST_DIR/build.out")"
assert_contains "$(cat "$TEST_DIR/build.out")" "Step 3/4 : RUN" "build output"
assert_contains "$(cat "$TEST_DIR/build.out")" "Successfully tagged $tag" "build output"
out=$(dk run --rm "$tag")
assert_eq "$(printf 'payload-%s\n%s\nbuilt' $$ "$sum")" "$out" "output of the built image"

# --- save | load: round trip of the built image under a new name
saved=swtest/saved-$$:v1
dk tag "$tag" "$saved"
dk save -o "$TEST_DIR/img.tar" "$saved" || fail "docker save failed"
tar -tf "$TEST_DIR/img.tar" | grep -qx manifest.json || fail "saved tar has no manifest.json"
id=$(dk_direct image inspect -f '{{.Id}}' "$saved")
dk rmi "$saved" "$tag" > /dev/null
dk_direct image inspect "$saved" > /dev/null 2>&1 && fail "image still present after rmi"
out=$(dk save "$SW_IMAGE" | dk load) || fail "docker save | docker load failed"
assert_eq "Loaded image: $SW_IMAGE" "$out" "save | load output"
out=$(dk load < "$TEST_DIR/img.tar") || fail "docker load < file failed"
assert_contains "$out" "Loaded image: $saved" "docker load output"
assert_eq "$id" "$(dk_direct image inspect -f '{{.Id}}' "$saved")" "image id after load"
out=$(dk run --rm "$saved")
assert_eq "$(printf 'payload-%s\n%s\nbuilt' $$ "$sum")" "$out" "output of the loaded image"

sw_proxy_stop
