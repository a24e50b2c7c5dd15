//! The designer's functions laid out for gzip.
//!
//! A browser downloads the wasm gzipped, and gzip only finds repeats within 32 KB. rustc and
//! Binaryen scatter the many copies of one generic function (Leptos instantiates its view
//! machinery per view and per handler type) over 1.7 MB of code; side by side they compress
//! against each other. [`rank_names`] names every function after its place in such an order,
//! and Binaryen's `reorder-functions-by-name` then lays the code out in it (BENCHMARKS.md has
//! what it saves). Nothing but the order changes.
//!
//! The order is built in two passes: copies of one generic function side by side (by name),
//! then one chain through all functions, each followed by the unplaced one most like it among
//! those a MinHash index names as candidates (similar code across different generic functions
//! and crates: a view's closure and the handler it calls, two visitors of one shape).

use std::collections::{BTreeMap, HashMap};

use wasmparser::{KnownCustom, Name, Parser, Payload, TypeRef};

/// Above this many copies of one function, a group is ordered by size only: the greedy
/// chaining below is quadratic in the group's size.
const CHAIN_LIMIT: usize = 400;

/// `wasm` with its name section replaced by one that names each function it defines after its
/// rank in the order for gzip (`00042`, or `00042 original-name` when `keep_names`, for `twiggy`).
/// Functions are grouped by their name without the hash rustc appends (the copies of one
/// generic function; then the functions of one module, by path), and within a group each
/// follows the one whose code shares most 4-byte runs with it. `wasm` needs a name section.
pub fn rank_names(wasm: &[u8], keep_names: bool) -> Result<Vec<u8>, String> {
    let err = |e: wasmparser::BinaryReaderError| e.to_string();
    let mut imported = 0u32;
    let mut bodies: Vec<&[u8]> = Vec::new();
    let mut names: BTreeMap<u32, String> = BTreeMap::new();
    let mut module = wasm_encoder::Module::new();
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload.map_err(err)?;
        match &payload {
            Payload::ImportSection(imports) => {
                for import in imports.clone().into_imports() {
                    if let TypeRef::Func(_) | TypeRef::FuncExact(_) = import.map_err(err)?.ty {
                        imported += 1;
                    }
                }
            }
            Payload::CodeSectionEntry(body) => bodies.push(&wasm[body.range()]),
            Payload::CustomSection(custom) => {
                if let KnownCustom::Name(reader) = custom.as_known() {
                    for subsection in reader {
                        if let Name::Function(map) = subsection.map_err(err)? {
                            for naming in map {
                                let naming = naming.map_err(err)?;
                                names.insert(naming.index, naming.name.to_string());
                            }
                        }
                    }
                } else {
                    module.section(&wasm_encoder::CustomSection {
                        name: custom.name().into(),
                        data: custom.data().into(),
                    });
                }
                continue;
            }
            _ => {}
        }
        if let Some((id, range)) = payload.as_section() {
            module.section(&wasm_encoder::RawSection {
                id,
                data: &wasm[range],
            });
        }
    }
    if names.is_empty() {
        return Err("the module has no function names to order by".into());
    }
    let keys: Vec<String> = (0..bodies.len() as u32)
        .map(|i| group_key(names.get(&(imported + i)).map_or("", String::as_str)))
        .collect();
    let order = chain(&bodies, &order(&bodies, &keys));
    let mut ranked = wasm_encoder::NameMap::new();
    for (index, name) in names.range(..imported) {
        ranked.append(*index, name);
    }
    let mut rank_of = vec![0; bodies.len()];
    for (rank, &i) in order.iter().enumerate() {
        rank_of[i] = rank;
    }
    for (i, rank) in rank_of.iter().enumerate() {
        let index = imported + i as u32;
        let name = match names.get(&index) {
            Some(name) if keep_names => format!("{rank:05} {name}"),
            _ => format!("{rank:05}"),
        };
        ranked.append(index, &name);
    }
    let mut section = wasm_encoder::NameSection::new();
    section.functions(&ranked);
    module.section(&section);
    Ok(module.finish())
}

/// A function's name without what tells copies of one generic function apart: rustc's hash
/// (`::h0123456789abcdef`) and crate disambiguators (`core[8f2b…]`).
fn group_key(name: &str) -> String {
    let name = match name.rsplit_once("::h") {
        Some((head, hash)) if hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()) => {
            head
        }
        _ => name,
    };
    let mut key = String::with_capacity(name.len());
    let mut in_brackets = false;
    for c in name.chars() {
        match c {
            '[' => in_brackets = true,
            ']' if in_brackets => in_brackets = false,
            _ if !in_brackets => key.push(c),
            _ => {}
        }
    }
    key
}

/// The functions' positions (indices into `bodies`) in the order for gzip: by group key, and
/// in each group a chain starting at the smallest body, each next the one most like the last.
fn order(bodies: &[&[u8]], keys: &[String]) -> Vec<usize> {
    let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, key) in keys.iter().enumerate() {
        groups.entry(key).or_default().push(i);
    }
    let mut out = Vec::with_capacity(bodies.len());
    for mut group in groups.into_values() {
        group.sort_by_key(|&i| (bodies[i].len(), i));
        if group.len() > CHAIN_LIMIT {
            out.extend(group);
            continue;
        }
        let runs: Vec<Vec<u32>> = group.iter().map(|&i| sorted_runs(bodies[i])).collect();
        let mut left: Vec<usize> = (1..group.len()).collect();
        let mut last = 0;
        out.push(group[0]);
        while !left.is_empty() {
            let (at, _) = left
                .iter()
                .enumerate()
                .map(|(at, &j)| (at, jaccard(&runs[last], &runs[j])))
                // The first of equals: the smaller body, as sorted.
                .fold(
                    (0, -1.0),
                    |best, next| if next.1 > best.1 { next } else { best },
                );
            last = left.remove(at);
            out.push(group[last]);
        }
    }
    out
}

/// How many minimum hashes each function's runs get in the candidate index.
const MINHASHES: u64 = 32;

/// The weights of the last functions placed (the last first) in a candidate's score: gzip's
/// window holds several, and code like the ones before the last still compresses against them
/// (BENCHMARKS.md has what each history length saves).
const WEIGHTS: &[f64] = &[1.0, 0.7, 0.5, 0.35, 0.25];

/// `base` (positions into `bodies`) re-chained: from its first function, each next is the
/// unplaced function most like the last few (Jaccard similarity of their 4-byte runs, weighted
/// by [`WEIGHTS`]), among those sharing at least one of the last one's [`MINHASHES`] minimum
/// hashes; with none, the next unplaced one in `base`. Ties go to the earlier in `base`, so the
/// order is deterministic.
fn chain(bodies: &[&[u8]], base: &[usize]) -> Vec<usize> {
    let n = bodies.len();
    let runs: Vec<Vec<u32>> = bodies.iter().map(|b| sorted_runs(b)).collect();
    let mut place = vec![0; n];
    for (p, &i) in base.iter().enumerate() {
        place[i] = p;
    }
    // Function lists by (which hash, its minimum), each in `base` order.
    let mut index: HashMap<(u64, u32), Vec<usize>> = HashMap::new();
    let mut mins: Vec<Vec<(u64, u32)>> = vec![Vec::new(); n];
    for &i in base {
        if runs[i].is_empty() {
            continue;
        }
        for seed in 0..MINHASHES {
            let min = runs[i].iter().map(|&r| mix(r, seed)).min().unwrap_or(0);
            index.entry((seed, min)).or_default().push(i);
            mins[i].push((seed, min));
        }
    }
    let mut placed = vec![false; n];
    let mut seen_at = vec![usize::MAX; n];
    let mut out = Vec::with_capacity(n);
    let mut next_in_base = 0;
    let mut current = base.first().copied();
    while let Some(cur) = current {
        placed[cur] = true;
        out.push(cur);
        let step = out.len();
        let recent: Vec<(usize, f64)> = out
            .iter()
            .rev()
            .zip(WEIGHTS)
            .map(|(&f, &w)| (f, w))
            .collect();
        let mut best: Option<(f64, usize)> = None;
        for key in &mins[cur] {
            let list = index.get_mut(key).expect("indexed");
            // Placed functions leave the index, so common hashes cost less as the chain grows.
            list.retain(|&j| !placed[j]);
            for &j in list.iter() {
                if seen_at[j] == step {
                    continue;
                }
                seen_at[j] = step;
                let score: f64 = recent
                    .iter()
                    .map(|&(f, w)| w * jaccard(&runs[f], &runs[j]))
                    .sum();
                let better = match best {
                    None => score > 0.0,
                    Some((s, b)) => score > s || (score == s && place[j] < place[b]),
                };
                if better {
                    best = Some((score, j));
                }
            }
        }
        current = best.map(|(_, j)| j).or_else(|| {
            while next_in_base < n && placed[base[next_in_base]] {
                next_in_base += 1;
            }
            base.get(next_in_base).copied()
        });
    }
    out
}

/// The distinct 4-byte runs of a function body, as sorted numbers.
fn sorted_runs(body: &[u8]) -> Vec<u32> {
    let mut runs: Vec<u32> = body
        .windows(4)
        .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]))
        .collect();
    runs.sort_unstable();
    runs.dedup();
    runs
}

/// One of the hash functions of the MinHash index (splitmix64's finaliser).
fn mix(run: u32, seed: u64) -> u32 {
    let mut z = u64::from(run) ^ seed.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)) as u32
}

/// Jaccard similarity of two sorted sets (two empty ones are alike).
fn jaccard(a: &[u32], b: &[u32]) -> f64 {
    let (mut i, mut j, mut shared) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let all = a.len() + b.len() - shared;
    if all == 0 {
        1.0
    } else {
        shared as f64 / all as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module of `bodies` (each a list of `i32.const` values, returning the last), named
    /// `names`, with one imported function before them.
    fn module(names: &[&str], bodies: &[&[i32]]) -> Vec<u8> {
        use wasm_encoder::*;
        let mut types = TypeSection::new();
        types.ty().function([], [ValType::I32]);
        let mut imports = ImportSection::new();
        imports.import("env", "f", EntityType::Function(0));
        let mut functions = FunctionSection::new();
        let mut code = CodeSection::new();
        for body in bodies {
            functions.function(0);
            let mut f = Function::new([]);
            for (n, v) in body.iter().enumerate() {
                if n > 0 {
                    f.instruction(&Instruction::Drop);
                }
                f.instruction(&Instruction::I32Const(*v));
            }
            f.instruction(&Instruction::End);
            code.function(&f);
        }
        let mut map = NameMap::new();
        map.append(0, "env::f");
        for (i, name) in names.iter().enumerate() {
            map.append(i as u32 + 1, name);
        }
        let mut section = NameSection::new();
        section.functions(&map);
        let mut module = Module::new();
        module
            .section(&types)
            .section(&imports)
            .section(&functions)
            .section(&code)
            .section(&section);
        module.finish()
    }

    /// The names of `wasm`'s functions by index.
    fn names(wasm: &[u8]) -> Vec<String> {
        let mut out = Vec::new();
        for payload in Parser::new(0).parse_all(wasm) {
            if let Payload::CustomSection(c) = payload.unwrap() {
                if let KnownCustom::Name(reader) = c.as_known() {
                    for sub in reader {
                        if let Name::Function(map) = sub.unwrap() {
                            out.extend(map.into_iter().map(|n| n.unwrap().name.to_string()));
                        }
                    }
                }
            }
        }
        out
    }

    /// `wasm`'s sections other than custom ones, as ids and bytes.
    fn sections(wasm: &[u8]) -> Vec<(u8, Vec<u8>)> {
        Parser::new(0)
            .parse_all(wasm)
            .filter_map(|p| p.unwrap().as_section())
            .filter(|(id, _)| *id != 0)
            .map(|(id, range)| (id, wasm[range].to_vec()))
            .collect()
    }

    #[test]
    fn copies_of_a_generic_function_rank_side_by_side_and_like_follows_like() {
        let wasm = module(
            &[
                "tachys::build::h00000000000000a1",
                "knflow::draw::h00000000000000b2",
                "tachys::build::h00000000000000c3",
                "core[1f2e]::drop::h00000000000000d4",
                "tachys::build::h00000000000000e5",
            ],
            &[
                &[1, 2, 3, 4, 5, 6],
                &[9],
                &[7, 7, 7, 7, 7, 7, 7],
                &[8],
                &[1, 2, 3, 4, 5, 6, 0],
            ],
        );
        let ranked = rank_names(&wasm, false).unwrap();
        wasmparser::validate(&ranked).expect("still a valid module");
        // By key: core::drop, knflow::draw, tachys::build ×3 (the smallest first, then the
        // one sharing its runs, then the unlike one).
        assert_eq!(
            names(&ranked)[1..],
            ["00002", "00001", "00004", "00000", "00003"]
        );
        let kept = rank_names(&wasm, true).unwrap();
        assert_eq!(names(&kept)[2], "00001 knflow::draw::h00000000000000b2");
        // Only the name section changed.
        assert_eq!(sections(&ranked), sections(&wasm));
    }

    #[test]
    fn like_code_follows_like_code_across_groups() {
        let shared: Vec<i32> = (100..140).collect();
        let mut other = shared.clone();
        other.push(7);
        let unlike: Vec<i32> = (500..540).rev().collect();
        let wasm = module(
            &["a::first", "m::middle", "z::last"],
            &[&shared, &unlike, &other],
        );
        let ranked = rank_names(&wasm, false).unwrap();
        // By name alone: a, m, z. `z::last` repeats `a::first`'s code, so it moves up.
        assert_eq!(names(&ranked)[1..], ["00000", "00002", "00001"]);
        assert_eq!(rank_names(&wasm, false).unwrap(), ranked, "deterministic");
    }

    #[test]
    fn a_module_without_names_is_refused() {
        let wasm = wasm_encoder::Module::new().finish();
        assert!(rank_names(&wasm, false)
            .unwrap_err()
            .contains("no function names"));
    }

    #[test]
    fn group_keys_drop_hashes_and_disambiguators_only() {
        assert_eq!(
            group_key(
                "<core[c59]::iter::Map<I,F> as core[c59]::Iterator>::next::h0123456789abcdef"
            ),
            "<core::iter::Map<I,F> as core::Iterator>::next"
        );
        assert_eq!(group_key("knflow_ui::hop"), "knflow_ui::hop");
        assert_eq!(group_key("a::hzz"), "a::hzz");
    }
}
