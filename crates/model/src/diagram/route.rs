//! A wire's path from its port to the input of the node it names, around the nodes in between.
//!
//! Between two columns of nodes a wire is a smooth curve with horizontal ends; across a column
//! it runs straight through a gap between that column's nodes, the gap nearest to where it
//! comes from and is going (a layered layout leaves such a gap for every wire it sends across a
//! layer). A wire that has to go back left leaves its port to the right, runs back through a
//! free corridor and enters its target from the left, with rounded corners. A dead letter leaves
//! the bottom of its node and drops straight onto a node right below it, or turns right and is
//! routed on from there.

use super::shape::{Side, NODE_W};
use crate::num::Fixed;

/// Room kept between a wire and a node it passes.
const MARGIN: f64 = 8.0;
/// How far a wire runs straight out of a port before it turns.
const STUB: f64 = 18.0;
/// Corner radius of orthogonal routes.
const RADIUS: f64 = 8.0;
/// Points per curve when a path is flattened.
pub const CURVE_STEPS: usize = 16;

pub type Point = (f64, f64);

/// A node's box on the canvas.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
}

impl Rect {
    pub fn new(x: f64, y: f64, w: f64, h: f64) -> Rect {
        Rect {
            x0: x,
            y0: y,
            x1: x + w,
            y1: y + h,
        }
    }

    fn grown(&self, m: f64) -> Rect {
        Rect {
            x0: self.x0 - m,
            y0: self.y0 - m,
            x1: self.x1 + m,
            y1: self.y1 + m,
        }
    }

    pub fn contains(&self, p: Point) -> bool {
        p.0 > self.x0 && p.0 < self.x1 && p.1 > self.y0 && p.1 < self.y1
    }

    /// Does the segment a–b pass through the inside of the box?
    pub fn hit_by(&self, a: Point, b: Point) -> bool {
        // Liang–Barsky clipping against the open box.
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let mut t0: f64 = 0.0;
        let mut t1: f64 = 1.0;
        for (p, q) in [
            (-dx, a.0 - self.x0),
            (dx, self.x1 - a.0),
            (-dy, a.1 - self.y0),
            (dy, self.y1 - a.1),
        ] {
            if p == 0.0 {
                if q <= 0.0 {
                    return false;
                }
            } else {
                let r = q / p;
                if p < 0.0 {
                    t0 = t0.max(r);
                } else {
                    t1 = t1.min(r);
                }
                if t0 >= t1 {
                    return false;
                }
            }
        }
        t1 - t0 > 1e-9
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Seg {
    Line(Point),
    Cubic(Point, Point, Point),
    Quad(Point, Point),
}

/// A route: a start point and segments.
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    pub start: Point,
    pub segs: Vec<Seg>,
}

impl Path {
    /// SVG path data (`M … C … L …`).
    pub fn svg(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let mut put = |letter: &str, points: &[Point]| {
            for (i, p) in points.iter().enumerate() {
                let gap = if i == 0 { letter } else { " " };
                let _ = write!(s, "{gap}{},{}", Fixed(p.0, 1), Fixed(p.1, 1));
            }
        };
        put("M", &[self.start]);
        for seg in &self.segs {
            match *seg {
                Seg::Line(p) => put(" L", &[p]),
                Seg::Cubic(a, b, p) => put(" C", &[a, b, p]),
                Seg::Quad(a, p) => put(" Q", &[a, p]),
            }
        }
        s
    }

    /// Reads back what [`Path::svg`] writes (the designer keeps wires as path data; a hop of the
    /// simulation follows the wires it took). `None` for any other path data.
    pub fn parse_svg(d: &str) -> Option<Path> {
        let mut words = d.split_whitespace();
        let point = |w: &str| -> Option<Point> {
            let (x, y) = w.split_once(',')?;
            Some((crate::num::parse_f64(x)?, crate::num::parse_f64(y)?))
        };
        let start = point(words.next()?.strip_prefix('M')?)?;
        let mut segs = Vec::new();
        while let Some(w) = words.next() {
            let (cmd, rest) = w.split_at(w.char_indices().nth(1).map_or(w.len(), |(i, _)| i));
            segs.push(match cmd {
                "L" => Seg::Line(point(rest)?),
                "C" => Seg::Cubic(point(rest)?, point(words.next()?)?, point(words.next()?)?),
                "Q" => Seg::Quad(point(rest)?, point(words.next()?)?),
                _ => return None,
            });
        }
        Some(Path { start, segs })
    }

    pub fn end(&self) -> Point {
        match self.segs.last() {
            Some(Seg::Line(p) | Seg::Cubic(_, _, p) | Seg::Quad(_, p)) => *p,
            None => self.start,
        }
    }

    /// The path as a polyline (curves sampled at [`CURVE_STEPS`] points).
    pub fn points(&self) -> Vec<Point> {
        let mut out = vec![self.start];
        let mut at = self.start;
        for seg in &self.segs {
            match *seg {
                Seg::Line(p) => out.push(p),
                Seg::Cubic(a, b, p) => {
                    for i in 1..=CURVE_STEPS {
                        let t = i as f64 / CURVE_STEPS as f64;
                        let u = 1.0 - t;
                        let f = |p0: f64, p1: f64, p2: f64, p3: f64| {
                            u * u * u * p0
                                + 3.0 * u * u * t * p1
                                + 3.0 * u * t * t * p2
                                + t * t * t * p3
                        };
                        out.push((f(at.0, a.0, b.0, p.0), f(at.1, a.1, b.1, p.1)));
                    }
                }
                Seg::Quad(a, p) => {
                    for i in 1..=CURVE_STEPS {
                        let t = i as f64 / CURVE_STEPS as f64;
                        let u = 1.0 - t;
                        let f =
                            |p0: f64, p1: f64, p2: f64| u * u * p0 + 2.0 * u * t * p1 + t * t * p2;
                        out.push((f(at.0, a.0, p.0), f(at.1, a.1, p.1)));
                    }
                }
            }
            at = match *seg {
                Seg::Line(p) | Seg::Cubic(_, _, p) | Seg::Quad(_, p) => p,
            };
        }
        out
    }
}

/// The node boxes a wire must keep clear of, bucketed by x (and sorted by y within a bucket)
/// for quick look-ups: a big flow has a thousand boxes and a thousand wires asking about them.
pub struct Obstacles {
    boxes: Vec<Rect>,
    /// Box indexes by column of [`BUCKET`] units, sorted by top; with the tallest box's height.
    buckets: std::collections::HashMap<i64, (Vec<usize>, f64)>,
}

const BUCKET: f64 = 256.0;

fn bucket(x: f64) -> i64 {
    (x / BUCKET).floor() as i64
}

impl Obstacles {
    pub fn new(boxes: Vec<Rect>) -> Obstacles {
        let mut buckets: std::collections::HashMap<i64, (Vec<usize>, f64)> = Default::default();
        for (i, b) in boxes.iter().enumerate() {
            for k in bucket(b.x0)..=bucket(b.x1) {
                let e = buckets.entry(k).or_default();
                e.0.push(i);
                e.1 = e.1.max(b.y1 - b.y0);
            }
        }
        for (list, _) in buckets.values_mut() {
            crate::order::sort_by(list, |a, b| boxes[*a].y0.total_cmp(&boxes[*b].y0));
        }
        Obstacles { boxes, buckets }
    }

    /// Boxes overlapping the rectangle (x0, y0)–(x1, y1), but `skip`; each once.
    fn query<'a>(
        &'a self,
        (x0, y0): Point,
        (x1, y1): Point,
        skip: &'a [usize],
    ) -> impl Iterator<Item = usize> + 'a {
        let first = bucket(x0);
        (first..=bucket(x1)).flat_map(move |k| {
            let (list, tallest) = self
                .buckets
                .get(&k)
                .map_or((&[][..], 0.0), |(l, h)| (l.as_slice(), *h));
            let from = list.partition_point(|&i| self.boxes[i].y0 < y0 - tallest);
            list[from..]
                .iter()
                .copied()
                .take_while(move |&i| self.boxes[i].y0 < y1)
                .filter(move |&i| {
                    let b = &self.boxes[i];
                    // A box spanning buckets is reported from the first one both share.
                    bucket(b.x0).max(first) == k
                        && b.x1 > x0
                        && b.x0 < x1
                        && b.y1 > y0
                        && !skip.contains(&i)
                })
        })
    }

    /// Boxes overlapping the x range, but `skip`.
    fn in_x(&self, x0: f64, x1: f64, skip: &[usize]) -> Vec<usize> {
        self.query((x0, f64::NEG_INFINITY), (x1, f64::INFINITY), skip)
            .collect()
    }

    /// Does the polyline run through a box (other than `skip`)?
    fn blocks(&self, pts: &[Point], skip: &[usize]) -> bool {
        let m = MARGIN / 2.0;
        pts.windows(2).any(|w| {
            let lo = (w[0].0.min(w[1].0) - m, w[0].1.min(w[1].1) - m);
            let hi = (w[0].0.max(w[1].0) + m, w[0].1.max(w[1].1) + m);
            self.query(lo, hi, skip)
                .any(|i| self.boxes[i].grown(m).hit_by(w[0], w[1]))
        })
    }
}

/// A stretch of x the wire crosses, with the y ranges nodes occupy there (and which node).
struct Column {
    x0: f64,
    x1: f64,
    taken: Vec<(f64, f64, usize)>,
}

/// The columns of boxes between x0 and x1 (boxes overlapping in x merged into one column).
fn columns(obstacles: &Obstacles, x0: f64, x1: f64, skip: &[usize]) -> Vec<Column> {
    let mut boxes: Vec<(Rect, usize)> = obstacles
        .in_x(x0, x1, skip)
        .into_iter()
        .map(|i| (obstacles.boxes[i].grown(MARGIN), i))
        .collect();
    crate::order::sort_by(&mut boxes, |a, b| a.0.x0.total_cmp(&b.0.x0));
    let mut cols: Vec<Column> = Vec::new();
    for (b, i) in boxes {
        match cols.last_mut() {
            Some(c) if b.x0 < c.x1 => {
                c.x1 = c.x1.max(b.x1);
                c.taken.push((b.y0, b.y1, i));
            }
            _ => cols.push(Column {
                x0: b.x0,
                x1: b.x1,
                taken: vec![(b.y0, b.y1, i)],
            }),
        }
    }
    for c in &mut cols {
        crate::order::sort_by(&mut c.taken, |a, b| a.0.total_cmp(&b.0));
        c.x0 = c.x0.max(x0);
        c.x1 = c.x1.min(x1);
    }
    cols
}

/// The free stretches of a column, between its taken ones (merged), open at both ends.
fn gaps(c: &Column) -> Vec<(f64, f64)> {
    let mut gaps: Vec<(f64, f64)> = Vec::new();
    let mut lo = f64::NEG_INFINITY;
    for &(a, b, _) in &c.taken {
        if a > lo {
            gaps.push((lo, a));
        }
        lo = lo.max(b);
    }
    gaps.push((lo, f64::INFINITY));
    gaps
}

/// The free stretch of a column nearest to `want`: (the y to use, the stretch's ends).
fn free_gap(c: &Column, want: f64) -> (f64, f64, f64) {
    let mut best = (want, f64::NEG_INFINITY, f64::INFINITY);
    let mut dist = f64::INFINITY;
    for (a, b) in gaps(c) {
        let y = crate::num::clamp(want, a, b);
        let d = (y - want).abs();
        if d < dist {
            dist = d;
            best = (y, a, b);
        }
    }
    best
}

/// Where a wire coming from height `prev` and heading for `want` passes a column: at `want`
/// if that is free, else round the node in the way on the side the wire comes from, as a
/// layered layout orders a wire's dummy node among a layer's nodes by where their wires come
/// from. A node's rank is where the wires entering it come from (`rank`), else its middle.
fn pass(c: &Column, want: f64, prev: f64, rank: &dyn Fn(usize) -> Option<f64>) -> (f64, f64, f64) {
    let gaps = gaps(c);
    if let Some(&(a, b)) = gaps.iter().find(|(a, b)| want >= *a && want <= *b) {
        return (want, a, b);
    }
    // `want` is inside the taken stretch between two gaps.
    let above = gaps.iter().rev().find(|(_, b)| *b <= want).copied();
    let below = gaps.iter().find(|(a, _)| *a >= want).copied();
    let node = c
        .taken
        .iter()
        .find(|(a, b, _)| want > *a && want < *b)
        .map(|&(a, b, i)| rank(i).unwrap_or((a + b) / 2.0));
    match (above, below) {
        (Some(up), Some(down)) => {
            if prev <= node.unwrap_or((up.1 + down.0) / 2.0) {
                (up.1, up.0, up.1)
            } else {
                (down.0, down.0, down.1)
            }
        }
        _ => free_gap(c, want),
    }
}

/// A smooth curve between two points with horizontal tangents.
fn curve(a: Point, b: Point) -> Seg {
    let c = ((b.0 - a.0) / 2.0).max(12.0);
    Seg::Cubic((a.0 + c, a.1), (b.0 - c, b.1), b)
}

/// Segments through `corners` (the first is where the path is), with rounded corners.
fn rounded(corners: &[Point]) -> Vec<Seg> {
    let mut segs = Vec::new();
    for i in 1..corners.len() {
        let p = corners[i];
        if i + 1 == corners.len() {
            segs.push(Seg::Line(p));
            break;
        }
        let (prev, next) = (corners[i - 1], corners[i + 1]);
        let toward = |from: Point, to: Point, d: f64| {
            let len = ((to.0 - from.0).powi(2) + (to.1 - from.1).powi(2)).sqrt();
            if len == 0.0 {
                from
            } else {
                (
                    from.0 + (to.0 - from.0) * d / len,
                    from.1 + (to.1 - from.1) * d / len,
                )
            }
        };
        let seg_in = ((p.0 - prev.0).abs() + (p.1 - prev.1).abs()) / 2.0;
        let seg_out = ((next.0 - p.0).abs() + (next.1 - p.1).abs()) / 2.0;
        let r = RADIUS.min(seg_in).min(seg_out);
        segs.push(Seg::Line(toward(p, prev, r)));
        segs.push(Seg::Quad(p, toward(p, next, r)));
    }
    segs
}

/// A wire to route: leaving `s` on `side` of node `from`, entering node `to` (box `target`)
/// at its input `t`.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub s: Point,
    pub side: Side,
    pub t: Point,
    pub target: Rect,
    pub from: usize,
    pub to: usize,
}

/// Where a wire crosses one column of nodes: through the free stretch `gap` at `y`.
#[derive(Debug, Clone, Copy)]
struct Crossing {
    x0: f64,
    x1: f64,
    y: f64,
    gap: (f64, f64),
}

/// How a wire goes, before wires sharing a gap are spread apart.
enum Plan {
    /// Done: no column to cross.
    Done(Vec<Seg>),
    /// From `from` (after `lead`, the segments getting there) through columns to `t`.
    Columns {
        lead: Vec<Seg>,
        from: Point,
        cols: Vec<Crossing>,
        t: Point,
    },
}

/// Leaving the right edge at `s` for an input at `t` (a left edge).
fn plan_right(
    lead: Vec<Seg>,
    s: Point,
    t: Point,
    obstacles: &Obstacles,
    skip: &[usize],
    rank: &dyn Fn(usize) -> Option<f64>,
) -> Plan {
    if t.0 - s.0 >= 2.0 * STUB {
        let direct = Path {
            start: s,
            segs: vec![curve(s, t)],
        };
        if !obstacles.blocks(&direct.points(), skip) {
            let mut segs = lead;
            segs.extend(direct.segs);
            return Plan::Done(segs);
        }
        // Through each column near the straight line from s to t, where a layered layout's
        // dummy node would sit.
        let mut prev = s.1;
        let cols = columns(obstacles, s.0 + 1.0, t.0 - 1.0, skip)
            .iter()
            .map(|c| {
                let mid = (c.x0 + c.x1) / 2.0;
                let want =
                    s.1 + (t.1 - s.1) * crate::num::clamp((mid - s.0) / (t.0 - s.0), 0.0, 1.0);
                let (y, lo, hi) = pass(c, want, prev, rank);
                prev = y;
                Crossing {
                    x0: c.x0,
                    x1: c.x1,
                    y,
                    gap: (lo, hi),
                }
            })
            .collect();
        return Plan::Columns {
            lead,
            from: s,
            cols,
            t,
        };
    }
    // Backwards (or straight down): out to the right, through a free corridor, in from the left.
    let (x_out, x_in) = (s.0 + STUB, t.0 - STUB);
    let cols = columns(obstacles, x_in.min(x_out) - 1.0, x_in.max(x_out) + 1.0, &[]);
    let mut taken: Vec<(f64, f64, usize)> = cols.iter().flat_map(|c| c.taken.clone()).collect();
    crate::order::sort_by(&mut taken, |a, b| a.0.total_cmp(&b.0));
    let all = Column {
        x0: x_in,
        x1: x_out,
        taken,
    };
    let (y, _, _) = free_gap(&all, (s.1 + t.1) / 2.0);
    let mut segs = lead;
    segs.extend(rounded(&[
        s,
        (x_out, s.1),
        (x_out, y),
        (x_in, y),
        (x_in, t.1),
        t,
    ]));
    Plan::Done(segs)
}

fn plan(w: &Spec, obstacles: &Obstacles, rank: &dyn Fn(usize) -> Option<f64>) -> Plan {
    let skip = [w.from, w.to];
    match w.side {
        Side::Right => plan_right(Vec::new(), w.s, w.t, obstacles, &skip, rank),
        Side::Bottom => {
            let s = w.s;
            // Straight down onto a node right below.
            if w.target.y0 >= s.1 + MARGIN
                && s.0 > w.target.x0 + MARGIN
                && s.0 < w.target.x1 - MARGIN
            {
                let drop = [s, (s.0, w.target.y0)];
                if !obstacles.blocks(&drop, &skip) {
                    return Plan::Done(vec![Seg::Line((s.0, w.target.y0))]);
                }
            }
            // Down, right past the node's edge, then on as from a right-hand port. Obstacles
            // are indexed like the diagram's nodes: `from` is the sender's box.
            let below = s.1 + STUB;
            let right = obstacles.boxes.get(w.from).map_or(s.0 + NODE_W, |b| b.x1) + STUB;
            let turn = (right, below);
            plan_right(
                rounded(&[s, (s.0, below), turn]),
                turn,
                w.t,
                obstacles,
                &skip,
                rank,
            )
        }
    }
}

/// Space between wires running side by side through one gap.
const LANE: f64 = 8.0;

/// The paths of many wires: each routed on its own, then wires that run through the same gap
/// of a column are spread into lanes, in the order they come from (so they do not cross or
/// run on top of one another).
pub fn route_all(specs: &[Spec], obstacles: &Obstacles) -> Vec<Path> {
    // Where the wires entering each node come from.
    let mut feeds: std::collections::HashMap<usize, (f64, f64)> = Default::default();
    for w in specs {
        let f = feeds.entry(w.to).or_default();
        f.0 += w.s.1;
        f.1 += 1.0;
    }
    let rank = |i: usize| feeds.get(&i).map(|(sum, n)| sum / n);
    let mut plans: Vec<Plan> = specs.iter().map(|w| plan(w, obstacles, &rank)).collect();
    // Group the crossings by column and gap.
    let mut groups: std::collections::HashMap<(i64, i64), Vec<(usize, usize)>> = Default::default();
    for (i, p) in plans.iter().enumerate() {
        if let Plan::Columns { cols, .. } = p {
            for (k, c) in cols.iter().enumerate() {
                let gap = if c.gap.0.is_finite() {
                    c.gap.0.round() as i64
                } else {
                    i64::MIN
                };
                groups
                    .entry((c.x0.round() as i64, gap))
                    .or_default()
                    .push((i, k));
            }
        }
    }
    let mut keys: Vec<_> = groups.keys().copied().collect();
    crate::order::sort(&mut keys);
    for key in keys {
        let members = &groups[&key];
        if members.len() < 2 {
            continue;
        }
        // In the order the wires enter and leave.
        let mut order: Vec<(f64, f64, usize, usize)> = members
            .iter()
            .map(|&(i, k)| (specs[i].s.1, specs[i].t.1, i, k))
            .collect();
        crate::order::sort_by(&mut order, |a, b| {
            a.0.total_cmp(&b.0)
                .then(a.1.total_cmp(&b.1))
                .then(a.2.cmp(&b.2))
        });
        let at = |i: usize, k: usize| match &plans[i] {
            Plan::Columns { cols, .. } => cols[k],
            Plan::Done(_) => unreachable!("grouped crossings belong to column plans"),
        };
        let (lo, hi) = at(order[0].2, order[0].3).gap;
        let n = order.len() as f64;
        let mean = order.iter().map(|o| at(o.2, o.3).y).sum::<f64>() / n;
        let room = if lo.is_finite() && hi.is_finite() {
            hi - lo
        } else {
            f64::INFINITY
        };
        let lane = LANE.min(room / (n + 1.0));
        let mut first = mean - lane * (n - 1.0) / 2.0;
        if lo.is_finite() {
            first = first.max(lo + (room / (n + 1.0)).min(lane).min(MARGIN / 2.0));
        }
        if hi.is_finite() {
            first = first.min(hi - lane * (n - 1.0) - (lane / 2.0).min(MARGIN / 2.0));
        }
        for (j, o) in order.iter().enumerate() {
            if let Plan::Columns { cols, .. } = &mut plans[o.2] {
                cols[o.3].y = first + lane * j as f64;
            }
        }
    }
    plans
        .into_iter()
        .zip(specs)
        .map(|(p, w)| match p {
            Plan::Done(segs) => Path { start: w.s, segs },
            Plan::Columns {
                mut lead,
                from,
                cols,
                t,
            } => {
                let mut at = from;
                for c in cols {
                    lead.push(curve(at, (c.x0, c.y)));
                    lead.push(Seg::Line((c.x1, c.y)));
                    at = (c.x1, c.y);
                }
                lead.push(curve(at, t));
                Path {
                    start: w.s,
                    segs: lead,
                }
            }
        })
        .collect()
}

/// The path of one wire (see [`route_all`]).
pub fn route(
    s: Point,
    side: Side,
    t: Point,
    target: Rect,
    obstacles: &Obstacles,
    from: usize,
    to: usize,
) -> Path {
    let spec = Spec {
        s,
        side,
        t,
        target,
        from,
        to,
    };
    route_all(&[spec], obstacles)
        .pop()
        .expect("one path per wire")
}

/// How many times the paths cross each other (crossings at a shared end point, where wires
/// leave the same port or enter the same input, do not count).
pub fn crossings(paths: &[Path]) -> usize {
    let lines: Vec<(Vec<Point>, Rect)> = paths
        .iter()
        .map(|p| {
            let pts = p.points();
            let mut r = Rect {
                x0: f64::INFINITY,
                y0: f64::INFINITY,
                x1: f64::NEG_INFINITY,
                y1: f64::NEG_INFINITY,
            };
            for q in &pts {
                r.x0 = r.x0.min(q.0);
                r.y0 = r.y0.min(q.1);
                r.x1 = r.x1.max(q.0);
                r.y1 = r.y1.max(q.1);
            }
            (pts, r)
        })
        .collect();
    let mut n = 0;
    for i in 0..lines.len() {
        for j in i + 1..lines.len() {
            let (a, ra) = &lines[i];
            let (b, rb) = &lines[j];
            if ra.x1 < rb.x0 || rb.x1 < ra.x0 || ra.y1 < rb.y0 || rb.y1 < ra.y0 {
                continue;
            }
            n += polyline_crossings(a, b);
        }
    }
    n
}

fn near(p: Point, q: Point) -> bool {
    (p.0 - q.0).abs() < 0.5 && (p.1 - q.1).abs() < 0.5
}

/// Proper crossings of two polylines, not counting touches at their ends.
pub fn polyline_crossings(a: &[Point], b: &[Point]) -> usize {
    let ends = [a[0], a[a.len() - 1], b[0], b[b.len() - 1]];
    let mut n = 0;
    for s in a.windows(2) {
        for t in b.windows(2) {
            if let Some(p) = intersection(s[0], s[1], t[0], t[1]) {
                if !ends.iter().any(|e| near(*e, p)) {
                    n += 1;
                }
            }
        }
    }
    n
}

fn intersection(p: Point, p2: Point, q: Point, q2: Point) -> Option<Point> {
    let r = (p2.0 - p.0, p2.1 - p.1);
    let s = (q2.0 - q.0, q2.1 - q.1);
    let denom = r.0 * s.1 - r.1 * s.0;
    if denom.abs() < 1e-12 {
        return None;
    }
    let qp = (q.0 - p.0, q.1 - p.1);
    let t = (qp.0 * s.1 - qp.1 * s.0) / denom;
    let u = (qp.0 * r.1 - qp.1 * r.0) / denom;
    // Half-open on the far end, so a crossing at a shared sample point counts once.
    ((0.0..1.0).contains(&t) && (0.0..1.0).contains(&u)).then_some((p.0 + t * r.0, p.1 + t * r.1))
}

/// Does any path run through a box it does not start or end at? Returns the first such
/// (path index, box index), for tests and the layout's own checks.
pub fn through_boxes(paths: &[(Path, usize, usize)], boxes: &[Rect]) -> Option<(usize, usize)> {
    let obstacles = Obstacles::new(boxes.to_vec());
    for (k, (p, from, to)) in paths.iter().enumerate() {
        let pts = p.points();
        for w in pts.windows(2) {
            let (x0, x1) = (w[0].0.min(w[1].0), w[0].0.max(w[1].0));
            let lo = (x0, w[0].1.min(w[1].1));
            let hi = (x1, w[0].1.max(w[1].1));
            for i in obstacles.query(lo, hi, &[*from, *to]) {
                if boxes[i].hit_by(w[0], w[1]) {
                    return Some((k, i));
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_data_reads_back() {
        let p = Path {
            start: (1.5, -2.0),
            segs: vec![
                Seg::Line((10.0, -2.0)),
                Seg::Cubic((20.0, -2.0), (20.0, 30.5), (40.0, 30.5)),
                Seg::Quad((50.0, 30.5), (50.0, 40.0)),
            ],
        };
        assert_eq!(Path::parse_svg(&p.svg()), Some(p));
        assert_eq!(Path::parse_svg("M0,0 A1,1 0 0 1 2,2"), None);
        assert_eq!(Path::parse_svg("L0,0"), None);
    }

    #[test]
    fn wires_go_around_nodes_in_the_way() {
        // Source at x 0, target three columns on, a node in the middle column in the way.
        let boxes = vec![
            Rect::new(0.0, 0.0, 196.0, 80.0),
            Rect::new(600.0, 0.0, 196.0, 80.0),
            Rect::new(300.0, -20.0, 196.0, 120.0),
        ];
        let obstacles = Obstacles::new(boxes.clone());
        let p = route(
            (196.0, 40.0),
            Side::Right,
            (600.0, 29.0),
            boxes[1],
            &obstacles,
            0,
            1,
        );
        assert!(
            through_boxes(&[(p.clone(), 0, 1)], &boxes).is_none(),
            "{}",
            p.svg()
        );
        assert_eq!(p.start, (196.0, 40.0));
        assert_eq!(p.end(), (600.0, 29.0));
        // Nothing in the way: one curve.
        let clear = Obstacles::new(boxes[..2].to_vec());
        let p = route(
            (196.0, 40.0),
            Side::Right,
            (600.0, 29.0),
            boxes[1],
            &clear,
            0,
            1,
        );
        assert_eq!(p.segs.len(), 1);
    }

    #[test]
    fn backward_wires_and_dead_letters() {
        let boxes = vec![
            Rect::new(400.0, 0.0, 196.0, 80.0),
            Rect::new(0.0, 0.0, 196.0, 80.0),
            Rect::new(400.0, 140.0, 196.0, 60.0),
        ];
        let obstacles = Obstacles::new(boxes.clone());
        let back = route(
            (596.0, 40.0),
            Side::Right,
            (0.0, 29.0),
            boxes[1],
            &obstacles,
            0,
            1,
        );
        assert!(
            through_boxes(&[(back.clone(), 0, 1)], &boxes).is_none(),
            "{}",
            back.svg()
        );
        assert_eq!(back.end(), (0.0, 29.0));
        // A dead letter drops onto the node right below its owner.
        let dls = route(
            (560.0, 80.0),
            Side::Bottom,
            (400.0, 169.0),
            boxes[2],
            &obstacles,
            0,
            2,
        );
        assert_eq!(dls.segs, vec![Seg::Line((560.0, 140.0))]);
    }

    #[test]
    fn crossings_are_counted_once_and_not_at_shared_ends() {
        let a = Path {
            start: (0.0, 0.0),
            segs: vec![Seg::Line((100.0, 100.0))],
        };
        let b = Path {
            start: (0.0, 100.0),
            segs: vec![Seg::Line((100.0, 0.0))],
        };
        let c = Path {
            start: (0.0, 0.0),
            segs: vec![Seg::Line((100.0, 0.0))],
        };
        assert_eq!(crossings(&[a.clone(), b.clone()]), 1);
        // a and c share their start; b and c share an end.
        assert_eq!(crossings(&[a, c]), 0);
    }
}
