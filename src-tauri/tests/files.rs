//! The desktop commands' file logic on a real file system: open (read, recent, watch), save
//! (atomic, permissions kept), the first flow, the window title, import, and the watcher that
//! reports edits made outside the app but not the app's own saves.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use knflow_desktop::commands::{window_title, Desktop, EXAMPLE_FLOW};
use knflow_desktop::files::{self, RECENT_MAX};

const FLOW: &str = "apiVersion: knflow.dev/v1alpha1
kind: Flow
metadata:
  name: small
resources:
- apiVersion: eventing.knative.dev/v1
  kind: Broker
  metadata:
    name: default
";

type Changes = mpsc::Receiver<(PathBuf, String)>;

fn desktop(config: &Path, start: Option<PathBuf>) -> (Desktop, Changes) {
    let (tx, rx) = mpsc::channel();
    let d = Desktop::new(config, start, move |p, t| {
        let _ = tx.send((p, t));
    });
    (d, rx)
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn open_reads_the_file_and_remembers_it_most_recent_first() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    let a = write(dir.path(), "a.yaml", FLOW);
    let b = write(dir.path(), "b.yaml", FLOW);
    let (d, _changes) = desktop(&config, None);
    let opened = d.open(&a).unwrap();
    assert_eq!(opened.text, FLOW);
    assert_eq!(opened.path.as_deref(), Some(a.to_str().unwrap()));
    d.open(&b).unwrap();
    d.open(&a).unwrap();
    assert_eq!(
        d.recent(),
        vec![a.display().to_string(), b.display().to_string()]
    );

    // Kept between runs; files that are gone are not offered.
    std::fs::remove_file(&b).unwrap();
    let (again, _c) = desktop(&config, None);
    assert_eq!(again.recent(), vec![a.display().to_string()]);

    // At most RECENT_MAX, the oldest dropped.
    for i in 0..RECENT_MAX + 3 {
        let p = write(dir.path(), &format!("f{i}.yaml"), FLOW);
        again.open(&p).unwrap();
    }
    let recent = again.recent();
    assert_eq!(recent.len(), RECENT_MAX);
    assert!(recent[0].ends_with(&format!("f{}.yaml", RECENT_MAX + 2)));
    assert!(!recent.contains(&a.display().to_string()));
}

#[test]
fn relative_paths_are_remembered_absolute() {
    let dir = tempfile::tempdir().unwrap();
    let (d, _c) = desktop(&dir.path().join("config"), None);
    let rel = PathBuf::from("../flows/hello-ping.yaml");
    let opened = d.open(&rel).unwrap();
    let path = PathBuf::from(opened.path.unwrap());
    assert!(path.is_absolute(), "{}", path.display());
    assert!(path.ends_with("flows/hello-ping.yaml"));
}

#[test]
fn read_errors_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let (d, _c) = desktop(&dir.path().join("config"), None);
    let missing = dir.path().join("missing.yaml");
    let e = d.open(&missing).unwrap_err();
    assert!(e.starts_with(&missing.display().to_string()), "{e}");
    let e = d.open(dir.path()).unwrap_err();
    assert!(e.ends_with("not a file"), "{e}");
    let binary = dir.path().join("bin.yaml");
    std::fs::write(&binary, [b'a', 0xff, 0xfe]).unwrap();
    let e = d.open(&binary).unwrap_err();
    assert!(e.contains("not UTF-8 text (byte 1)"), "{e}");
    assert!(d.recent().is_empty(), "a failed open is not recent");
}

#[test]
fn save_replaces_the_file_whole_and_keeps_its_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let (d, _c) = desktop(&dir.path().join("config"), None);
    let p = write(dir.path(), "flow.yaml", "old");
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
    let saved = d.save(&p, FLOW).unwrap();
    assert_eq!(saved, p.display().to_string());
    assert_eq!(std::fs::read_to_string(&p).unwrap(), FLOW);
    let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !names.iter().any(|n| n.ends_with(".tmp")),
        "temporary file left: {names:?}"
    );
    assert_eq!(d.recent(), vec![p.display().to_string()]);

    // A new file (Save as) gets what any program's new file gets under the umask, as a file
    // `File::create` makes beside it shows, not the temporary file's private 0600.
    let made = dir.path().join("made-by-create");
    std::fs::File::create(&made).unwrap();
    let usual = std::fs::metadata(&made).unwrap().permissions().mode() & 0o777;
    let new = dir.path().join("new.yaml");
    d.save(&new, FLOW).unwrap();
    assert_eq!(
        std::fs::metadata(&new).unwrap().permissions().mode() & 0o777,
        usual
    );

    // A folder that does not exist: an error naming the file, nothing written.
    let nowhere = dir.path().join("no/such/dir/flow.yaml");
    let e = files::write_flow(&nowhere, FLOW).unwrap_err();
    assert!(e.starts_with(&nowhere.display().to_string()), "{e}");
}

#[test]
fn the_first_flow_is_the_command_lines_else_the_most_recent_else_the_example() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    let (d, _c) = desktop(&config, None);
    let example = d.initial().unwrap();
    assert_eq!(example.path, None);
    assert_eq!(example.text, EXAMPLE_FLOW);
    let loaded = knflow_model::load_str(EXAMPLE_FLOW, "example");
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    assert!(loaded.flow.len() > 3);

    let recent = write(dir.path(), "recent.yaml", FLOW);
    d.open(&recent).unwrap();
    let (d, _c) = desktop(&config, None);
    assert_eq!(
        d.initial().unwrap().path.as_deref(),
        Some(recent.to_str().unwrap())
    );

    let named = write(dir.path(), "named.yaml", FLOW);
    let (d, _c) = desktop(&config, Some(named.clone()));
    assert_eq!(
        d.initial().unwrap().path.as_deref(),
        Some(named.to_str().unwrap())
    );
    // A command-line file that does not exist is an error, not silently another flow.
    let (d, _c) = desktop(&config, Some(dir.path().join("gone.yaml")));
    assert!(d.initial().unwrap_err().contains("gone.yaml"));
}

#[test]
fn the_title_shows_unsaved_work() {
    assert_eq!(window_title("orders.yaml", false), "orders.yaml — knflow");
    assert_eq!(window_title("orders.yaml", true), "● orders.yaml — knflow");
}

#[test]
fn import_lays_out_knative_yaml_and_names_bad_lines() {
    let flow = knflow_desktop::import_yaml(
        "apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata:\n  name: b\n---\n\
apiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata:\n  name: t\nspec:\n  broker: b\n  \
subscriber:\n    uri: http://example.com\n",
    )
    .unwrap();
    let loaded = knflow_model::load_str(&flow, "imported");
    assert!(!loaded.has_errors());
    assert_eq!(loaded.flow.len(), 2);
    assert!(flow.contains("layout:"), "{flow}");
    let e = knflow_desktop::import_yaml("kind: Broker\n  bad: [").unwrap_err();
    assert!(e.contains("import.yaml:"), "{e}");
}

fn next_change(changes: &Changes) -> Option<(PathBuf, String)> {
    changes.recv_timeout(Duration::from_secs(5)).ok()
}

/// inotify on a real folder: a write by another program is reported with the new text; the
/// app's own save, and rewriting the same text, are not.
#[test]
fn edits_on_disk_are_reported_but_the_apps_own_saves_are_not() {
    let dir = tempfile::tempdir().unwrap();
    let (d, changes) = desktop(&dir.path().join("config"), None);
    let p = write(dir.path(), "watched.yaml", FLOW);
    d.open(&p).unwrap();

    d.save(&p, &format!("{FLOW}# saved by the app\n")).unwrap();
    assert!(
        changes.recv_timeout(Duration::from_millis(700)).is_err(),
        "the app's own save was reported"
    );

    let edited = format!("{FLOW}# edited elsewhere\n");
    std::fs::write(&p, &edited).unwrap();
    let (path, text) = next_change(&changes).expect("the edit is reported");
    assert_eq!(path, p);
    assert_eq!(text, edited);

    // Replaced by a rename, as editors and `kn-flow fmt` save.
    let renamed = format!("{FLOW}# replaced\n");
    let tmp = write(dir.path(), ".tmp", &renamed);
    std::fs::rename(&tmp, &p).unwrap();
    assert_eq!(next_change(&changes).expect("the rename").1, renamed);

    // Other files in the folder are not the open flow.
    write(dir.path(), "other.yaml", "x");
    std::fs::write(&p, &renamed).unwrap(); // same text again
    assert!(changes.recv_timeout(Duration::from_millis(700)).is_err());

    // New flow: nothing is watched any more.
    d.watch.lock().unwrap().clear();
    std::fs::write(&p, "after clear").unwrap();
    assert!(changes.recv_timeout(Duration::from_millis(700)).is_err());
}
