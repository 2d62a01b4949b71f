// testcontainers-flow.js - the testcontainers-node flow of
// tests/integration/t82, against DOCKER_HOST (sockwarden's socket in the
// test): a GenericContainer of a local image (no pull: the image is there),
// start, exec (stdout, stderr, exit code), logs, stop (which removes it).
// The Ryuk reaper is disabled by the caller (TESTCONTAINERS_RYUK_DISABLED=true):
// its image would have to be pulled, and nothing can be pulled here.
//   node testcontainers-flow.js IMAGE NAME
// Prints "ok ..." and exits 0, or prints the failing step and exits 1.
"use strict";
const { GenericContainer } = require("testcontainers");

const [image, name] = process.argv.slice(2);
let step = "start";

function check(cond, msg) {
  if (!cond) throw new Error(msg);
}

function readLogs(stream, wants, ms) {
  return new Promise((resolve) => {
    let text = "";
    const done = () => { stream.destroy(); resolve(text); };
    const timer = setTimeout(done, ms);
    stream.on("data", (c) => {
      text += c.toString();
      if (wants.every((w) => text.includes(w))) { clearTimeout(timer); done(); }
    });
    stream.on("end", () => { clearTimeout(timer); resolve(text); });
  });
}

async function main() {
  const ct = await new GenericContainer(image)
    .withName(name)
    .withCommand(["sh", "-c", "echo tc-started; echo tc-err >&2; exec sleep 300"])
    .start();
  try {
    step = "exec";
    const res = await ct.exec(["sh", "-c", "echo exec-out; echo exec-err >&2; exit 3"]);
    check(res.exitCode === 3, "exec exitCode " + res.exitCode);
    check(res.stdout === "exec-out\n", "exec stdout " + JSON.stringify(res.stdout));
    check(res.stderr === "exec-err\n", "exec stderr " + JSON.stringify(res.stderr));
    step = "logs";
    const logs = await readLogs(await ct.logs(), ["tc-started", "tc-err"], 15000);
    check(logs.includes("tc-started") && logs.includes("tc-err"), "logs " + JSON.stringify(logs));
  } finally {
    step = "stop";
    await ct.stop();
  }
  return "start, exec (exit 3, stdout, stderr), logs, stop";
}

main().then(
  (detail) => console.log("ok testcontainers: " + detail),
  (e) => {
    console.error("testcontainers " + step + " failed: " + (e.statusCode ? "HTTP " + e.statusCode + " " : "") +
      (e.json && e.json.message ? e.json.message : e.message));
    process.exit(1);
  });
