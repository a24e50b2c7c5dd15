//! What the simulator keeps per resource (counters, the sink's behavior), found by label.
//!
//! Every hop and every attempt looks up its resource, a million times per second in a big run.
//! The labels of a compiled flow are shared `Arc<str>`s that live as long as the simulation, so
//! they are found by address (hashing a pointer) instead of by name (hashing and comparing a
//! string). Only those are indexed by address: a label made on the fly (a URI sent to directly)
//! may be freed and its address reused, so it is looked up by name.

use rustc_hash::FxHashMap;

use knflow_dataplane::{Label, Routes};

use crate::behavior::Behavior;
use crate::sim::Counters;

#[derive(Default)]
pub struct Entry {
    pub name: String,
    pub counters: Counters,
    /// Whether a hop has counted here (the summary lists only those).
    pub counted: bool,
    pub behavior: Behavior,
}

#[derive(Default)]
pub struct PerLabel {
    entries: Vec<Entry>,
    by_name: FxHashMap<String, usize>,
    /// Addresses of the labels `routes` holds (kept alive by the simulation's routes).
    by_address: FxHashMap<usize, usize>,
}

fn address(l: &Label) -> usize {
    l.as_ptr() as usize
}

impl PerLabel {
    /// Indexes every label of `routes`; `routes` must outlive this index unchanged.
    pub fn new(routes: &Routes) -> PerLabel {
        let mut p = PerLabel::default();
        let add = |p: &mut PerLabel, l: &Label| {
            let i = p.by_name_or_insert(l);
            p.by_address.insert(address(l), i);
        };
        for s in &routes.subscriptions {
            add(&mut p, &s.via);
            add(&mut p, s.subscriber.label());
            if let Some(r) = &s.reply {
                add(&mut p, r.label());
            }
            if let Some((dls, _)) = &s.policy.dead_letter {
                add(&mut p, dls.label());
            }
        }
        for ep in routes.on.keys().chain(routes.entries.values()) {
            add(&mut p, ep.label());
        }
        p
    }

    fn by_name_or_insert(&mut self, name: &str) -> usize {
        if let Some(&i) = self.by_name.get(name) {
            return i;
        }
        self.entries.push(Entry {
            name: name.to_string(),
            ..Entry::default()
        });
        self.by_name
            .insert(name.to_string(), self.entries.len() - 1);
        self.entries.len() - 1
    }

    /// The entry of `label`, made on first use.
    pub fn get(&mut self, label: &Label) -> &mut Entry {
        let i = match self.by_address.get(&address(label)) {
            Some(&i) => i,
            None => self.by_name_or_insert(label),
        };
        &mut self.entries[i]
    }

    /// Sets the behavior of the resource named `name`.
    pub fn set_behavior(&mut self, name: &str, b: Behavior) {
        let i = self.by_name_or_insert(name);
        self.entries[i].behavior = b;
    }

    /// The entries a hop has counted on.
    pub fn counted(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(|e| e.counted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_is_one_entry_whatever_arc_carries_it() {
        let flow = knflow_model::load_str(
            "apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata: {name: b}\n",
            "t.yaml",
        )
        .flow;
        let routes = Routes::compile(&flow);
        let mut p = PerLabel::new(&routes);
        let from_routes = routes.entries["Broker/b"].label().clone();
        p.get(&from_routes).counters.received += 1;
        // The same name in a label made elsewhere (a different address) is the same entry.
        let elsewhere: Label = "Broker/b".into();
        assert_eq!(p.get(&elsewhere).counters.received, 1);
        // A name the routes do not hold gets its entry on first use, found by name later.
        p.get(&"http://x.example".into()).counters.delivered += 1;
        assert_eq!(p.get(&"http://x.example".into()).counters.delivered, 1);
        p.get(&from_routes).counted = true;
        let counted: Vec<&str> = p.counted().map(|e| e.name.as_str()).collect();
        assert_eq!(counted, ["Broker/b"]);
    }
}
