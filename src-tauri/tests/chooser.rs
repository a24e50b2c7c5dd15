//! Where the native file choosers start: beside the open file, else in the home folder, never in
//! the process's working folder (a desktop user never chose it).

use std::path::PathBuf;

use knflow_desktop::chooser::start;

#[test]
fn choosers_start_beside_the_open_file_else_at_home() {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("orders.yaml");
    assert_eq!(
        start(Some(&file.display().to_string())),
        (Some(dir.path().to_path_buf()), Some("orders.yaml".into()))
    );
    // An untitled flow's suggested name, no folder: home, with the name.
    assert_eq!(
        start(Some("orders.yaml")),
        (home.clone(), Some("orders.yaml".into()))
    );
    // A folder that is gone: home.
    assert_eq!(
        start(Some("/no/such/folder/orders.yaml")),
        (home.clone(), Some("orders.yaml".into()))
    );
    assert_eq!(start(None), (home, None));
}
