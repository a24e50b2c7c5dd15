// Only the commands the designer uses exist for the web view: each gets an `allow-…`
// permission, and capabilities/main.json grants exactly those.
const COMMANDS: &[&str] = &[
    "initial_flow",
    "open_flow",
    "save_flow",
    "recent_files",
    "set_title",
    "close_window",
    "set_menu_state",
    "menu_state",
    "forget_file",
    "forget_recent",
    "import_yaml",
    "cluster_contexts",
    "cluster_connect",
    "cluster_diff",
    "cluster_apply",
    "cluster_wait",
    "cluster_import",
    "live_start",
    "live_stop",
    "live_status",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script");
}
