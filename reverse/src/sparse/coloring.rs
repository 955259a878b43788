//! Graph colourings that compress a sparse Jacobian or Hessian into a few dense columns:
//! distance-1 colouring of the column (or row) intersection graph for Jacobians, star colouring
//! of the adjacency graph for Hessians. Both greedy, vertices in largest-first order (by
//! degree, ties by index).

use nalgebra_sparse::pattern::SparsityPattern;

/// A colouring of the columns (or rows, or Hessian variables) of a pattern: vertex `v` has
/// colour `colors()[v]`, in `0..count()`. Columns of one colour are evaluated together, in one
/// lane of one sweep.
///
/// ```
/// use diffprog_reverse::sparse::{column_coloring, SparsityPattern};
///
/// // A diagonal Jacobian: every column in one colour.
/// let diagonal = SparsityPattern::try_from_offsets_and_indices(3, 3, vec![0, 1, 2, 3], vec![0, 1, 2])
///     .unwrap();
/// let coloring = column_coloring(&diagonal);
/// assert_eq!(coloring.count(), 1);
/// assert_eq!(coloring.colors(), &[0, 0, 0]);
/// assert!(coloring.is_column_coloring_of(&diagonal));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Coloring {
    colors: Vec<u32>,
    count: usize,
}

impl Coloring {
    /// The colour of each vertex.
    pub fn colors(&self) -> &[u32] {
        &self.colors
    }

    /// The number of colours.
    pub fn count(&self) -> usize {
        self.count
    }

    /// The colour of vertex `v`.
    pub fn color(&self, v: usize) -> usize {
        self.colors[v] as usize
    }

    /// True if no two columns of one colour share a row of `pattern` (a valid colouring for
    /// compressed Jacobian columns: each row sees at most one column of each colour).
    ///
    /// ```
    /// use diffprog_reverse::sparse::{column_coloring, SparsityPattern};
    /// // One dense row: every column needs its own colour.
    /// let row = SparsityPattern::try_from_offsets_and_indices(1, 3, vec![0, 3], vec![0, 1, 2]).unwrap();
    /// let coloring = column_coloring(&row);
    /// assert_eq!(coloring.count(), 3);
    /// assert!(coloring.is_column_coloring_of(&row));
    /// ```
    pub fn is_column_coloring_of(&self, pattern: &SparsityPattern) -> bool {
        if self.colors.len() != pattern.minor_dim() {
            return false;
        }
        let mut seen = vec![usize::MAX; self.count];
        (0..pattern.major_dim()).all(|r| {
            pattern.lane(r).iter().all(|&j| {
                let c = self.color(j);
                std::mem::replace(&mut seen[c], r) != r
            })
        })
    }

    /// True if this is a star colouring of the symmetric `pattern`'s adjacency graph: adjacent
    /// variables have different colours, and every path on four variables uses at least three
    /// colours — the condition under which every Hessian entry is read directly from one
    /// compressed column.
    ///
    /// ```
    /// use diffprog_reverse::sparse::{star_coloring, SparsityPattern};
    /// // A path 0 – 1 – 2 – 3 (a tridiagonal Hessian) needs three colours.
    /// let offsets = vec![0, 2, 5, 8, 10];
    /// let indices = vec![0, 1, 0, 1, 2, 1, 2, 3, 2, 3];
    /// let path = SparsityPattern::try_from_offsets_and_indices(4, 4, offsets, indices).unwrap();
    /// let coloring = star_coloring(&path);
    /// assert_eq!(coloring.count(), 3);
    /// assert!(coloring.is_star_coloring_of(&path));
    /// ```
    pub fn is_star_coloring_of(&self, pattern: &SparsityPattern) -> bool {
        let adj = adjacency(pattern);
        if self.colors.len() != adj.len() {
            return false;
        }
        let c = &self.colors;
        for (w, nw) in adj.iter().enumerate() {
            for &x in nw {
                if c[w] == c[x] {
                    return false;
                }
                // A path v – w – x – y with c(v) = c(x) and c(y) = c(w) is two-coloured.
                let y_exists = adj[x].iter().any(|&y| y != w && c[y] == c[w]);
                let v_exists = nw.iter().any(|&v| v != x && c[v] == c[x]);
                if y_exists && v_exists {
                    return false;
                }
            }
        }
        true
    }
}

/// The off-diagonal adjacency lists of a symmetric pattern.
fn adjacency(pattern: &SparsityPattern) -> Vec<Vec<usize>> {
    assert_eq!(
        pattern.major_dim(),
        pattern.minor_dim(),
        "diffprog-reverse: a star colouring needs a square (symmetric) pattern, got {} × {}",
        pattern.major_dim(),
        pattern.minor_dim()
    );
    (0..pattern.major_dim())
        .map(|i| {
            pattern
                .lane(i)
                .iter()
                .copied()
                .filter(|&j| j != i)
                .collect()
        })
        .collect()
}

/// Vertices by decreasing degree, ties by index.
fn largest_first(adj: &[Vec<usize>]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..adj.len()).collect();
    order.sort_by_key(|&v| std::cmp::Reverse(adj[v].len()));
    order
}

/// The smallest colour not marked `v` in `forbidden` (grown as needed).
fn first_free(forbidden: &mut Vec<usize>, v: usize) -> u32 {
    match forbidden.iter().position(|&f| f != v) {
        Some(c) => c as u32,
        None => {
            forbidden.push(usize::MAX);
            (forbidden.len() - 1) as u32
        }
    }
}

const NONE: u32 = u32::MAX;

/// A distance-1 colouring of the column intersection graph of `pattern` (columns are adjacent
/// when some row has both), greedy in largest-first order: columns of one colour share no row,
/// so one forward-mode lane seeded with all of them gives each of their Jacobian entries.
///
/// ```
/// use diffprog_reverse::sparse::{column_coloring, SparsityPattern};
/// // Rows {0, 1}, {1, 2}, {2, 3}: a bidiagonal Jacobian, two colours.
/// let p = SparsityPattern::try_from_offsets_and_indices(3, 4, vec![0, 2, 4, 6], vec![0, 1, 1, 2, 2, 3])
///     .unwrap();
/// let coloring = column_coloring(&p);
/// assert_eq!(coloring.count(), 2);
/// assert!(coloring.is_column_coloring_of(&p));
/// ```
pub fn column_coloring(pattern: &SparsityPattern) -> Coloring {
    // On the bipartite graph (rows, columns) directly, never forming the column intersection
    // graph, whose edges can outnumber the pattern's entries by far (a camera's parameters
    // meet every point it sees): memory O(nnz). Order: largest first by Σ of the sizes of the
    // column's rows (the degree counted with repeats).
    let by_column = pattern.transpose();
    let n = pattern.minor_dim();
    let weight = |j: usize| -> usize {
        by_column
            .lane(j)
            .iter()
            .map(|&r| pattern.lane(r).len())
            .sum()
    };
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&j| std::cmp::Reverse(weight(j)));
    let mut colors = vec![NONE; n];
    let mut forbidden: Vec<usize> = Vec::new();
    for j in order {
        for &r in by_column.lane(j) {
            for &k in pattern.lane(r) {
                if colors[k] != NONE {
                    forbidden[colors[k] as usize] = j;
                }
            }
        }
        colors[j] = first_free(&mut forbidden, j);
    }
    let count = forbidden.len();
    Coloring { colors, count }
}

/// The least number of colours any column colouring of `pattern` needs (its longest row), and
/// any row colouring (its longest column): each row's columns, each column's rows, are
/// pairwise adjacent.
pub(crate) fn lower_bounds(pattern: &SparsityPattern) -> (usize, usize) {
    let longest_row = (0..pattern.major_dim())
        .map(|r| pattern.lane(r).len())
        .max();
    let mut per_column = vec![0usize; pattern.minor_dim()];
    for &j in pattern.minor_indices() {
        per_column[j] += 1;
    }
    (
        longest_row.unwrap_or(0),
        per_column.into_iter().max().unwrap_or(0),
    )
}

/// A distance-1 colouring of the row intersection graph of `pattern` (rows are adjacent when
/// they share a column): rows of one colour are evaluated together by one adjoint sweep.
///
/// ```
/// use diffprog_reverse::sparse::{row_coloring, SparsityPattern};
/// // Two rows sharing column 1, a third row apart.
/// let p = SparsityPattern::try_from_offsets_and_indices(3, 4, vec![0, 2, 4, 5], vec![0, 1, 1, 2, 3])
///     .unwrap();
/// let coloring = row_coloring(&p);
/// assert_eq!(coloring.count(), 2);
/// assert_ne!(coloring.color(0), coloring.color(1));
/// ```
pub fn row_coloring(pattern: &SparsityPattern) -> Coloring {
    column_coloring(&pattern.transpose())
}

/// A star colouring of the adjacency graph of the symmetric `pattern` (variables `i ≠ j`
/// adjacent when `(i, j)` is in the pattern): adjacent variables have different colours and
/// every path on four variables uses at least three colours. Then every Hessian entry `(i, j)`
/// is read directly from one compressed column: from column `color(j)` at row `i`, or from
/// column `color(i)` at row `j`. Greedy, largest-first (Algorithm 4.1 of Gebremedhin, Manne
/// and Pothen, "What color is your Jacobian?", SIAM Review 47(4), 2005); its cost is the sum
/// over variables of the paths of length three from them.
///
/// A banded Hessian of half-bandwidth `b` gets a few more than `b + 1` colours (tridiagonal:
/// 3), an arrowhead 2 (a distance-2 colouring would need n).
///
/// ```
/// use diffprog_reverse::sparse::{star_coloring, SparsityPattern};
/// // An arrowhead: variable 0 meets every other, which meet nothing else.
/// let n = 6;
/// let mut offsets = vec![0, n];
/// let mut indices: Vec<usize> = (0..n).collect();
/// for i in 1..n {
///     indices.extend([0, i]);
///     offsets.push(indices.len());
/// }
/// let arrow = SparsityPattern::try_from_offsets_and_indices(n, n, offsets, indices).unwrap();
/// let coloring = star_coloring(&arrow);
/// assert_eq!(coloring.count(), 2);
/// assert!(coloring.is_star_coloring_of(&arrow));
/// ```
///
/// # Panics
/// If `pattern` is not square.
pub fn star_coloring(pattern: &SparsityPattern) -> Coloring {
    let adj = adjacency(pattern);
    let mut colors = vec![NONE; adj.len()];
    let mut forbidden: Vec<usize> = Vec::new();
    for v in largest_first(&adj) {
        for &w in &adj[v] {
            let cw = colors[w];
            if cw != NONE {
                forbidden[cw as usize] = v;
            }
            for &x in &adj[w] {
                let cx = colors[x];
                if x == v || cx == NONE || forbidden[cx as usize] == v {
                    continue;
                }
                if cw == NONE {
                    // v and x would share a colour across a vertex still uncoloured.
                    forbidden[cx as usize] = v;
                } else if adj[x].iter().any(|&y| y != w && colors[y] == cw) {
                    // v – w – x – y would be two-coloured.
                    forbidden[cx as usize] = v;
                }
            }
        }
        colors[v] = first_free(&mut forbidden, v);
    }
    let count = forbidden.len();
    Coloring { colors, count }
}
