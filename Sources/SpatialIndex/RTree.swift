public import GeoCore
#if canImport(Glibc)
// Links libm: `Double.squareRoot()` is a libm call in unoptimised builds, and this module's
// inlinable code carries that call into every client.
import Glibc
#endif

/// How an overflowing node is divided in two.
///
/// `linear` and `quadratic` are Guttman's (1984) splits; `rstar` is Beckmann et al.'s (1990) split
/// together with R*'s overlap-minimising choose-subtree and forced reinsertion; `axis` is the
/// linear-time edge-snap split of tidwall/rtree.c, the default.
public enum SplitStrategy: String, Sendable, CaseIterable {
    case linear, quadratic, rstar
    /// Split across the node's longest axis: each entry goes to the side whose edge it is nearer,
    /// then the smaller side is topped up to m with the entries nearest it (Tidwall's edge-snap
    /// split from rtree.c). Linear time, no area arithmetic, and square-ish nodes for point data.
    case axis
}

/// Node capacity and split policy of an `RTree`, fixed for the tree's lifetime.
///
/// The defaults (M = 32, m = 12, `axis`) won the release benchmarks on 1M uniform points inserted
/// one by one (docs/rtree.md has the table): the axis split inserts fastest and its trees answer
/// window and nearest queries about 2x faster than quadratic's, 5x faster than linear's; R* builds
/// good trees but inserts 10-20x slower (forced reinsertion, overlap-minimising choice). M = 32 beat
/// 16, 24, 48 and 64 on the mix of insert and query.
/// - `maxEntries` must be at least 4 and `2 <= minEntries <= maxEntries / 2`; violating that traps.
public struct RTreeConfiguration: Hashable, Sendable {
    public var maxEntries: Int
    public var minEntries: Int
    public var split: SplitStrategy

    /// `minEntries` defaults to 40% of `maxEntries` (at least 2), the fill Beckmann et al. found best.
    @inlinable
    public init(maxEntries: Int = 32, minEntries: Int? = nil, split: SplitStrategy = .axis) {
        let minimum = minEntries ?? Swift.max(2, maxEntries * 2 / 5)
        self.maxEntries = maxEntries
        self.minEntries = minimum
        self.split = split
        precondition(isValid, "invalid RTreeConfiguration: \(self)")
    }

    /// True when the capacities can hold the R-tree invariants (M >= 4, 2 <= m <= M/2).
    @inlinable
    public var isValid: Bool {
        maxEntries >= 4 && minEntries >= 2 && minEntries <= maxEntries / 2
            && maxEntries <= Int(Int32.max) / 2
    }
}

/// One answer of a nearest-neighbour query.
public struct Neighbor<Payload> {
    public var payload: Payload
    public var bounds: Rect
    public var distance: Double

    @inlinable
    public init(payload: Payload, bounds: Rect, distance: Double) {
        self.payload = payload
        self.bounds = bounds
        self.distance = distance
    }
}

extension Neighbor: Sendable where Payload: Sendable {}
extension Neighbor: Equatable where Payload: Equatable {}

/// Shape and fill of a tree, for tuning capacities and spotting degenerate trees.
///
/// When the root is the only node, `minimumFill` and `maximumFill` are the root's entry count (0 when
/// the tree is empty), since there are no non-root nodes to measure.
public struct RTreeStatistics: Hashable, Sendable {
    public var height: Int
    public var nodeCount: Int
    public var leafCount: Int
    public var entryCount: Int
    public var averageFill: Double
    public var minimumFill: Int
    public var maximumFill: Int

    public init(height: Int, nodeCount: Int, leafCount: Int, entryCount: Int,
                averageFill: Double, minimumFill: Int, maximumFill: Int) {
        self.height = height
        self.nodeCount = nodeCount
        self.leafCount = leafCount
        self.entryCount = entryCount
        self.averageFill = averageFill
        self.minimumFill = minimumFill
        self.maximumFill = maximumFill
    }
}

/// A broken structural invariant found by `RTree.validate()`; a bug in the tree, never in the caller.
public struct RTreeInvariantViolation: Error, CustomStringConvertible {
    public var message: String
    /// Entry slots followed from the root to the offending node (empty: the root or the whole tree).
    public var nodePath: [Int]

    public init(message: String, nodePath: [Int] = []) {
        self.message = message
        self.nodePath = nodePath
    }

    public var description: String {
        let path = (["root"] + nodePath.map(String.init)).joined(separator: "/")
        return "R-tree invariant violated at \(path): \(message)"
    }
}

/// An R-tree of rectangles with payloads; a value type whose copies are O(1) snapshots.
///
/// Nodes live in an arena (struct of arrays, fixed stride M per node): leaf slots hold the entry
/// rect (Double) and payload inline; inner slots hold an `Int32` child index, and the child rects
/// sit beside them as Float32 (`innerBounds`, see RTree+InnerBounds.swift), rounded outward so pruning stays conservative and every answer exact. There is no object per
/// node, so queries touch contiguous memory and never retain or release. The arrays give
/// copy-on-write: the first mutation of a shared tree copies the arena once.
///
/// Levels count from the leaves (0) up to the root (`height - 1`); a child index in an inner node at
/// level 1 names a leaf, at higher levels an inner node. An empty tree allocates nothing.
/// - Warning: Not synchronised; share copies across tasks, not one variable (it is `Sendable` when
///   `Payload` is).
public struct RTree<Payload> {
    @usableFromInline var _configuration: RTreeConfiguration
    /// Node capacity M, cached: every slot address is `node * maxEntries + slot`.
    @usableFromInline var maxEntries: Int
    @usableFromInline var minEntries: Int

    @usableFromInline var leafRects: [Rect]
    @usableFromInline var leafPayloads: ContiguousArray<Payload>
    @usableFromInline var leafCounts: [Int32]
    /// Child rects of inner nodes, Float32 rounded outward: four Floats per slot (minX, minY, maxX,
    /// maxY at `4 * slot`), 16 bytes a child, so one cache line holds four children.
    @usableFromInline var innerBounds: ContiguousArray<Float>
    @usableFromInline var innerChildren: [Int32]
    @usableFromInline var innerCounts: [Int32]
    @usableFromInline var freeLeaves: [Int32]
    @usableFromInline var freeInners: [Int32]

    @usableFromInline var rootNode: Int
    /// Number of levels; 0 for an empty tree (no root node at all).
    @usableFromInline var height: Int
    @usableFromInline var entryCount: Int
    /// The exact (Double) MBR of every entry: the root's stored rects are Float32, rounded outward.
    @usableFromInline var exactBounds: Rect

    /// An empty tree; traps if `configuration` is not `isValid`.
    @inlinable
    public init(configuration: RTreeConfiguration = .init()) {
        precondition(configuration.isValid, "invalid RTreeConfiguration: \(configuration)")
        _configuration = configuration
        maxEntries = configuration.maxEntries
        minEntries = configuration.minEntries
        leafRects = []
        leafPayloads = []
        leafCounts = []
        innerBounds = []
        innerChildren = []
        innerCounts = []
        freeLeaves = []
        freeInners = []
        rootNode = -1
        height = 0
        entryCount = 0
        exactBounds = .empty
    }

    @inlinable public var configuration: RTreeConfiguration { _configuration }
    @inlinable public var count: Int { entryCount }
    @inlinable public var isEmpty: Bool { entryCount == 0 }

    /// The MBR of every entry, `.empty` for an empty tree; exact, O(1).
    @inlinable
    public var bounds: Rect { exactBounds }

    /// Bytes held by the arena: every array's allocated capacity times its element stride.
    ///
    /// Counts node rects (Double in leaves, Float32 in inner nodes), leaf payloads (inline, `MemoryLayout<Payload>.stride` each), child indices,
    /// per-node counts and free lists, including spare capacity and free nodes; excludes the struct
    /// itself, array headers and anything a payload references.
    public var allocatedByteCount: Int {
        let rectStride = MemoryLayout<Rect>.stride
        let int32Stride = MemoryLayout<Int32>.stride
        return leafRects.capacity * rectStride
            + leafPayloads.capacity * MemoryLayout<Payload>.stride
            + leafCounts.capacity * int32Stride
            + innerBounds.capacity * MemoryLayout<Float>.stride
            + innerChildren.capacity * int32Stride
            + innerCounts.capacity * int32Stride
            + (freeLeaves.capacity + freeInners.capacity) * int32Stride
    }

    /// Drops every entry and releases the arena.
    public mutating func removeAll() {
        self = RTree(configuration: _configuration)
    }
}

extension RTree: Sendable where Payload: Sendable {}

// MARK: - Arena

extension RTree {
    /// The tight MBR of one node's entries: exact for a leaf; for an inner node the union of its
    /// Float32 child rects, which is the outward rounding of its exact MBR.
    @inlinable
    func nodeBounds(_ node: Int, level: Int) -> Rect {
        var result = Rect.empty
        if level == 0 {
            let base = node * maxEntries
            for slot in base..<(base + Int(leafCounts[node])) { result = result.union(leafRects[slot]) }
        } else {
            for offset in 0..<Int(innerCounts[node]) { result = result.union(innerRect(node, offset)) }
        }
        return result
    }

    @inlinable
    func nodeCount(_ node: Int, level: Int) -> Int {
        level == 0 ? Int(leafCounts[node]) : Int(innerCounts[node])
    }

    /// The capacity to reserve before an arena array outgrows `needed`: 1.5x, not the 2x of append.
    ///
    /// Doubling would leave up to half of a large arena unused; 1.5x keeps the slack (and the
    /// bytes/point figure) lower at the price of one more copy on average.
    @inlinable
    static func grownCapacity(current: Int, needed: Int) -> Int {
        Swift.max(needed, current + current / 2, 64)
    }

    /// A leaf with zero entries; its payload slots are filled with `filler` (a live payload), because
    /// the inline payload array has no uninitialised slots.
    @inlinable
    mutating func allocateLeaf(filler: Payload) -> Int {
        if let reused = freeLeaves.popLast() {
            let leaf = Int(reused)
            leafCounts[leaf] = 0
            return leaf
        }
        let leaf = leafCounts.count
        let needed = leafRects.count + maxEntries
        if needed > leafRects.capacity {
            let capacity = Self.grownCapacity(current: leafRects.capacity, needed: needed)
            leafRects.reserveCapacity(capacity)
            leafPayloads.reserveCapacity(capacity)
            leafCounts.reserveCapacity(capacity / maxEntries + 1)
        }
        leafRects.append(contentsOf: repeatElement(Rect.empty, count: maxEntries))
        leafPayloads.append(contentsOf: repeatElement(filler, count: maxEntries))
        leafCounts.append(0)
        return leaf
    }

    @inlinable
    mutating func allocateInner() -> Int {
        if let reused = freeInners.popLast() {
            let node = Int(reused)
            innerCounts[node] = 0
            return node
        }
        let node = innerCounts.count
        let needed = innerChildren.count + maxEntries
        if needed > innerChildren.capacity {
            let capacity = Self.grownCapacity(current: innerChildren.capacity, needed: needed)
            innerBounds.reserveCapacity(capacity * 4)
            innerChildren.reserveCapacity(capacity)
            innerCounts.reserveCapacity(capacity / maxEntries + 1)
        }
        appendEmptyInnerBounds()
        innerChildren.append(contentsOf: repeatElement(-1, count: maxEntries))
        innerCounts.append(0)
        return node
    }

    /// Returns a node to its free list; a freed leaf's payload slots are overwritten with `filler` so
    /// the arena does not keep removed payloads alive.
    @inlinable
    mutating func freeNode(_ node: Int, level: Int, filler: Payload?) {
        if level == 0 {
            if let filler {
                let base = node * maxEntries
                for slot in base..<(base + maxEntries) { leafPayloads[slot] = filler }
            }
            leafCounts[node] = 0
            freeLeaves.append(Int32(node))
        } else {
            innerCounts[node] = 0
            freeInners.append(Int32(node))
        }
    }
}
