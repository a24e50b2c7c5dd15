//! The stand-in API server as a process, for tests outside Rust (the desktop app's WebDriver
//! tests): `kube-standin KUBECONFIG_PATH NAMESPACE` serves Knative's kinds on a free loopback
//! port, writes a kubeconfig for it (context `standin`) and prints `ready` once it answers.
//! It runs until killed.

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(path), Some(namespace)) = (args.next(), args.next()) else {
        eprintln!("usage: kube-standin KUBECONFIG_PATH NAMESPACE");
        std::process::exit(2);
    };
    let token = format!("standin-{}", std::process::id());
    let server = kube_standin::StandIn::start(kube_standin::Options {
        token: Some(token.clone()),
        ..kube_standin::Options::knative()
    });
    if let Err(e) = std::fs::write(&path, server.kubeconfig(&namespace, &token)) {
        eprintln!("kube-standin: {path}: {e}");
        std::process::exit(2);
    }
    println!("ready {}", server.url());
    loop {
        std::thread::park();
    }
}
