//! The selected resources: a sorted set (a sorted vector, which costs the designer's wasm far
//! less code than a `BTreeSet`; selections are small and rebuilt in one go when large).

use knflow_model::ResourceId;
use litemap::LiteMap;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Selection(LiteMap<ResourceId, ()>);

impl Selection {
    pub fn contains(&self, id: &ResourceId) -> bool {
        self.0.contains_key(id)
    }

    /// Adds `id`; false when it was there already.
    pub fn insert(&mut self, id: ResourceId) -> bool {
        self.0.insert(id, ()).is_none()
    }

    /// Removes `id`; false when it was not there.
    pub fn remove(&mut self, id: &ResourceId) -> bool {
        self.0.remove(id).is_some()
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The selected resource when exactly one is selected.
    pub fn only(&self) -> Option<&ResourceId> {
        match self.0.len() {
            1 => self.iter().next(),
            _ => None,
        }
    }

    /// In order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &ResourceId> {
        self.0.keys()
    }
}

impl FromIterator<ResourceId> for Selection {
    fn from_iter<I: IntoIterator<Item = ResourceId>>(ids: I) -> Self {
        Selection(knflow_model::order::map(ids.into_iter().map(|id| (id, ()))))
    }
}

impl Extend<ResourceId> for Selection {
    fn extend<I: IntoIterator<Item = ResourceId>>(&mut self, ids: I) {
        let had = std::mem::take(&mut self.0).into_tuple_vec();
        self.0 =
            knflow_model::order::map(had.into_iter().chain(ids.into_iter().map(|id| (id, ()))));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(name: &str) -> ResourceId {
        ResourceId {
            kind: "Broker".into(),
            name: name.into(),
            namespace: None,
        }
    }

    #[test]
    fn a_set_in_order() {
        let mut s: Selection = [id("b"), id("a"), id("b")].into_iter().collect();
        assert_eq!(s.len(), 2);
        assert!(!s.insert(id("a")), "already there");
        assert!(s.insert(id("c")));
        s.extend([id("0"), id("c")]);
        let names: Vec<&str> = s.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["0", "a", "b", "c"]);
        assert!(s.remove(&id("a")) && !s.remove(&id("a")));
        assert!(s.contains(&id("b")) && !s.contains(&id("a")));
        s.clear();
        assert!(s.is_empty());
    }
}
