// The Debian package `cargo xtask package` builds, checked as a user's machine meets it: its
// control fields (dpkg-deb), its files, its .desktop entry (desktop-file-validate), and both
// programs run from the unpacked tree. KNFLOW_DEB names the .deb (xtask builds it first).
//
// No package is installed here (that needs root and changes the machine): the .deb is
// unpacked into a temporary root, which is what dpkg would put under /.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const repo = resolve(import.meta.dirname, "../..");
const deb = process.env.KNFLOW_DEB;
const sh = (cmd, ...args) => execFileSync(cmd, args, { encoding: "utf8" });
// The workspace's version: what the package and both programs must say.
const version = readFileSync(join(repo, "Cargo.toml"), "utf8").match(/\[workspace\.package\][^[]*?\nversion = "([^"]+)"/)[1];

test("the package's control fields: name, workspace version, runtime libraries (not -dev)", { skip: !deb && "KNFLOW_DEB is not set (cargo xtask test builds the package)" }, () => {
  const field = (name) => sh("dpkg-deb", "--field", deb, name).trim();
  assert.equal(field("Package"), "knflow");
  assert.match(field("Version"), new RegExp(`^${version.replaceAll(".", "\\.")}(-\\d+)?$`));
  assert.equal(field("Architecture"), sh("dpkg", "--print-architecture").trim());
  assert.ok(field("Maintainer").length > 0);
  assert.ok(field("Description").length > 0 && field("Description").split("\n")[0].length <= 80, field("Description"));
  const depends = field("Depends").split(/,\s*/).map((d) => d.split(" ")[0]);
  for (const lib of ["libwebkit2gtk-4.1-0", "libgtk-3-0", "libc6"]) {
    assert.ok(depends.includes(lib), `${lib} in ${depends}`);
  }
  assert.deepEqual(depends.filter((d) => d.endsWith("-dev")), [], "a -dev package in Depends");
});

test("unpacked, it has both programs (stripped, running), the desktop entry with its icon and file types", { skip: !deb && "KNFLOW_DEB is not set" }, (t) => {
  const files = sh("dpkg-deb", "--contents", deb).split("\n").map((l) => l.split(/\s+/).pop()).filter(Boolean);
  for (const f of ["./usr/bin/kn-flow", "./usr/bin/knflow-desktop", "./usr/share/applications/knflow.desktop",
    "./usr/share/icons/hicolor/scalable/apps/knflow.svg", "./usr/share/icons/hicolor/64x64/apps/knflow.png",
    "./usr/share/doc/knflow/copyright", "./usr/share/doc/knflow/changelog.Debian.gz",
    "./usr/share/doc/knflow/examples/hello-ping.yaml"]) {
    assert.ok(files.includes(f), `${f} is not in the package`);
  }
  const root = mkdtempSync(join(tmpdir(), "knflow-deb-"));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  sh("dpkg-deb", "--extract", deb, root);
  for (const [bin, name] of [["kn-flow", "kn-flow"], ["knflow-desktop", "knflow-desktop"]]) {
    const path = join(root, "usr/bin", bin);
    assert.equal(sh(path, "--version").trim(), `${name} ${version}`);
    // Release binaries without symbols.
    assert.match(sh("file", path), /, stripped/, `${bin} is not stripped`);
  }
  // The packaged command works on the packaged examples.
  const checked = spawnSync(join(root, "usr/bin/kn-flow"), ["validate", join(root, "usr/share/doc/knflow/examples/orders.yaml")], { encoding: "utf8" });
  assert.equal(checked.status, 0, checked.stderr);
  assert.match(checked.stderr, /^0 errors, 0 warnings in 1 file$/m);

  // Debian's copyright format, with the workspace's licence; a changelog whose newest entry is
  // this version.
  const copyright = readFileSync(join(root, "usr/share/doc/knflow/copyright"), "utf8");
  const licence = readFileSync(join(repo, "Cargo.toml"), "utf8").match(/\nlicense = "([^"]+)"/)[1];
  assert.match(copyright, /^Format: https:\/\/www\.debian\.org\/doc\/packaging-manuals\/copyright-format\/1\.0\/$/m);
  assert.match(copyright, /^Upstream-Name: knflow$/m);
  assert.match(copyright, new RegExp(`^Files: \\*\nCopyright: .+\nLicense: ${licence}$`, "m"));
  const changelog = sh("sh", "-c", `gzip -dc '${join(root, "usr/share/doc/knflow/changelog.Debian.gz")}'`);
  assert.equal(changelog.split("\n")[0].match(/^knflow \(([^)]+)\)/)?.[1], sh("dpkg-deb", "--field", deb, "Version").trim());

  const entry = join(root, "usr/share/applications/knflow.desktop");
  sh("desktop-file-validate", entry); // throws with its complaints
  const desktop = Object.fromEntries(readFileSync(entry, "utf8").split("\n").filter((l) => l.includes("="))
    .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
  assert.equal(desktop.Exec, "knflow-desktop %f");
  assert.ok(existsSync(join(root, "usr/bin", desktop.Exec.split(" ")[0])), "Exec names a program the package has");
  assert.ok(existsSync(join(root, `usr/share/icons/hicolor/scalable/apps/${desktop.Icon}.svg`)), `no icon named ${desktop.Icon}`);
  const types = desktop.MimeType.split(";").filter(Boolean);
  assert.ok(types.includes("application/yaml") && types.includes("application/x-yaml"), desktop.MimeType);
});

test("unpacked, it has the manual pages and the shell completions, and they work", { skip: !deb && "KNFLOW_DEB is not set" }, (t) => {
  const root = mkdtempSync(join(tmpdir(), "knflow-deb-"));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  sh("dpkg-deb", "--extract", deb, root);
  const kn = join(root, "usr/bin/kn-flow");
  // A page for kn-flow and for each command it lists, each rendering without groff warnings.
  const man1 = join(root, "usr/share/man/man1");
  const listed = [...new Set(sh("sh", "-c", `gzip -dc '${join(man1, "kn-flow.1.gz")}'`).match(/kn\\-flow\\-[a-z]+/g))]
    .map((n) => n.replaceAll("\\-", "-"));
  assert.ok(listed.includes("kn-flow-validate") && listed.includes("kn-flow-serve"), `pages listed: ${listed}`);
  for (const page of ["kn-flow", ...listed]) {
    const path = join(man1, `${page}.1.gz`);
    assert.ok(existsSync(path), `${page}(1) is listed but not packaged`);
    const r = spawnSync("man", ["--warnings", "-l", "-Tutf8", path], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, "", `${page}(1): ${r.stderr}`);
  }
  const validate = spawnSync("man", ["-l", "-Tutf8", join(man1, "kn-flow-validate.1.gz")], { encoding: "utf8" }).stdout.replace(/.\x08/g, "");
  assert.match(validate, /kn-flow validate/);
  assert.match(validate, /--deny-warnings/);

  // bash completes the commands and a command's options from the packaged script.
  const complete = (line) => sh("bash", "-c", `source '${join(root, "usr/share/bash-completion/completions/kn-flow")}'
    COMP_LINE='${line}'; COMP_WORDS=(${line}); [[ '${line}' == *' ' ]] && COMP_WORDS+=(''); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); COMP_POINT=\${#COMP_LINE}
    f=$(complete -p kn-flow | sed 's/.*-F \\([^ ]*\\).*/\\1/')
    "$f" kn-flow "\${COMP_WORDS[COMP_CWORD]}" "\${COMP_WORDS[COMP_CWORD-1]}"; printf '%s\\n' "\${COMPREPLY[@]}"`).split("\n");
  assert.ok(complete("kn-flow va").includes("validate"), complete("kn-flow va").join(" "));
  assert.ok(complete("kn-flow validate --st").includes("--strict"));
  for (const f of ["usr/share/zsh/vendor-completions/_kn-flow", "usr/share/fish/vendor_completions.d/kn-flow.fish"]) {
    assert.match(readFileSync(join(root, f), "utf8"), /validate/, `${f} completes no command`);
  }
  // The same scripts come from the program, for shells set up by hand.
  assert.equal(sh(kn, "completion", "bash"), readFileSync(join(root, "usr/share/bash-completion/completions/kn-flow"), "utf8"));
});
