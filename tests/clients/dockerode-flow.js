// dockerode-flow.js - the dockerode flows of tests/integration/t82: one step
// per invocation, against DOCKER_HOST (sockwarden's socket in the test).
//   node dockerode-flow.js run   IMAGE PREFIX  create, attach (demuxed), start, wait, remove
//   node dockerode-flow.js build IMAGE PREFIX  classic build, progress via modem.followProgress
//   node dockerode-flow.js buildkit IMAGE PREFIX  BuildKit build (version "2"): dockerode
//       opens POST /session (serving only registry credentials) and sends
//       the context as the body of /build?version=2&session=ID
// Prints "ok STEP: detail" and exits 0, or prints why and exits 1.  It checks
// what a user of the library sees; the shell test checks the engine.
"use strict";
const Docker = require("dockerode");
const { PassThrough } = require("stream");
const fs = require("fs");
const os = require("os");
const path = require("path");

const [step, image, prefix] = process.argv.slice(2);
const docker = new Docker(); // DOCKER_HOST=unix://...

function check(cond, msg) {
  if (!cond) throw new Error(msg);
}

function collect(stream) {
  const chunks = [];
  stream.on("data", (c) => chunks.push(c));
  return () => Buffer.concat(chunks).toString();
}

async function run() {
  const name = prefix + "-run";
  const ct = await docker.createContainer({
    name,
    Image: image,
    Cmd: ["sh", "-c", "read line; echo out:$line; echo err-line >&2; exit 5"],
    OpenStdin: true, StdinOnce: true,
    AttachStdin: true, AttachStdout: true, AttachStderr: true,
    Tty: false,
  });
  try {
    const stream = await ct.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true });
    const out = new PassThrough(), err = new PassThrough();
    const outText = collect(out), errText = collect(err);
    docker.modem.demuxStream(stream, out, err);
    const ended = new Promise((resolve) => stream.on("end", resolve));
    await ct.start();
    stream.write("from-stdin\n");
    stream.end();
    const res = await ct.wait();
    await Promise.race([ended, new Promise((r) => setTimeout(r, 10000))]);
    check(res.StatusCode === 5, "wait: StatusCode " + JSON.stringify(res));
    check(outText() === "out:from-stdin\n", "demuxed stdout " + JSON.stringify(outText()));
    check(errText() === "err-line\n", "demuxed stderr " + JSON.stringify(errText()));
  } finally {
    await ct.remove({ force: true });
  }
  let gone = false;
  try { await docker.getContainer(name).inspect(); } catch (e) { gone = e.statusCode === 404; }
  check(gone, "container still there after remove");
  return "attach demuxed stdout/stderr, stdin, exit 5, removed";
}

function context(dockerfile) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "swdo-"));
  fs.writeFileSync(path.join(dir, "Dockerfile"), dockerfile);
  fs.writeFileSync(path.join(dir, "payload.txt"), "payload from the context\n");
  return { context: dir, src: ["Dockerfile", "payload.txt"] };
}

async function runImage(tag) {
  const ct = await docker.createContainer({ Image: tag, Cmd: ["cat", "/payload.txt", "/built.txt"] });
  try {
    const stream = await ct.attach({ stream: true, stdout: true, stderr: true });
    const out = new PassThrough(), err = new PassThrough();
    const outText = collect(out);
    docker.modem.demuxStream(stream, out, err);
    const ended = new Promise((resolve) => stream.on("end", resolve));
    await ct.start();
    await ct.wait();
    await Promise.race([ended, new Promise((r) => setTimeout(r, 10000))]);
    return outText();
  } finally {
    await ct.remove({ force: true });
  }
}

function follow(stream, decode) {
  return new Promise((resolve, reject) => {
    const events = [];
    const onDone = (err, res) => (err ? reject(err) : resolve({ res, events }));
    const onEvent = (ev) => events.push(ev);
    if (decode) docker.followProgress(stream, onDone, onEvent);
    else docker.modem.followProgress(stream, onDone, onEvent);
  });
}

// The progress a user of followProgress sees: the classic builder's
// "Step N/M" lines, or BuildKit's trace decoded by docker.followProgress
// (dockerode 4) into step names; either way the RUN step must show.
function progressShows(events, version) {
  const text = events.map((e) => (e && e.stream) || "").join("");
  const want = version === "2" ? /\[3\/3\] RUN echo built-2/ : /Step 3\/3 : RUN echo built-1/;
  return want.test(text) ? "" : "progress does not show the RUN step: " + JSON.stringify(text.slice(0, 600));
}

async function build(version) {
  const tag = prefix + (version === "2" ? "-bk" : "-classic") + ":latest";
  // the prefix makes the RUN step new to the cache: it really runs
  const df = "FROM " + image + "\nCOPY payload.txt /payload.txt\nRUN echo built-" + version +
    " " + prefix + " > /built.txt\n";
  const opts = { t: tag };
  if (version === "2") opts.version = "2";
  const stream = await docker.buildImage(context(df), opts);
  const { res, events } = await follow(stream, version === "2");
  const errs = res.filter((e) => e && (e.error || e.errorDetail));
  check(errs.length === 0, "build reported errors: " + JSON.stringify(errs));
  const why = progressShows(events, version);
  check(why === "", why);
  const img = await docker.getImage(tag).inspect();
  const out = await runImage(tag);
  check(out === "payload from the context\nbuilt-" + version + " " + prefix + "\n",
    "built image prints " + JSON.stringify(out));
  await docker.getImage(tag).remove({ force: true });
  return `${tag} ${img.Id.slice(0, 19)}, ${events.length} progress events`;
}

const steps = { run, build: () => build("1"), buildkit: () => build("2") };
if (!steps[step] || !image || !prefix) {
  console.error("usage: dockerode-flow.js run|build|buildkit IMAGE PREFIX");
  process.exit(2);
}
steps[step]().then(
  (detail) => console.log("ok " + step + ": " + detail),
  (e) => {
    console.error("dockerode " + step + " failed: " + (e.statusCode ? "HTTP " + e.statusCode + " " : "") +
      (e.json && e.json.message ? e.json.message : e.message));
    process.exit(1);
  });
