public import GeoCore

/// Read-only pointers into the arena for the duration of one query, so inner loops skip bounds
/// checks and uniqueness checks.
///
/// - Warning: Valid only inside the `withNodeView` call that made it.
@usableFromInline
struct RTreeNodeView<Payload> {
    @usableFromInline let leafRects: UnsafeBufferPointer<Rect>
    @usableFromInline let leafPayloads: UnsafeBufferPointer<Payload>
    @usableFromInline let leafCounts: UnsafeBufferPointer<Int32>
    /// Inner child rects as Float32, four Floats per slot (see `RTree.innerBounds`).
    @usableFromInline let innerBounds: UnsafeBufferPointer<Float>
    @usableFromInline let innerChildren: UnsafeBufferPointer<Int32>
    @usableFromInline let innerCounts: UnsafeBufferPointer<Int32>
    @usableFromInline let maxEntries: Int

    @inlinable
    init(leafRects: UnsafeBufferPointer<Rect>, leafPayloads: UnsafeBufferPointer<Payload>,
         leafCounts: UnsafeBufferPointer<Int32>, innerBounds: UnsafeBufferPointer<Float>,
         innerChildren: UnsafeBufferPointer<Int32>, innerCounts: UnsafeBufferPointer<Int32>,
         maxEntries: Int) {
        self.leafRects = leafRects
        self.leafPayloads = leafPayloads
        self.leafCounts = leafCounts
        self.innerBounds = innerBounds
        self.innerChildren = innerChildren
        self.innerCounts = innerCounts
        self.maxEntries = maxEntries
    }

    /// The stored rect of the child in arena slot `slot` (minX, minY, maxX, maxY). Valid while
    /// the view is.
    @inlinable @inline(__always)
    func innerFloats(_ slot: Int) -> UnsafePointer<Float> {
        innerBounds.baseAddress! + slot &* 4
    }

    /// The stored rect of the child in `offset` of inner node `node`, widened to Double exactly.
    @inlinable
    func innerRect(_ node: Int, _ offset: Int) -> Rect {
        let floats = innerFloats(node * maxEntries + offset)
        return Rect(minX: Double(floats[0]), minY: Double(floats[1]),
                    maxX: Double(floats[2]), maxY: Double(floats[3]))
    }
}

/// Which entries a selection visits, as plain data rather than closures so that the checks inline
/// into the traversal loop (closures passed through the nested pointer scopes were not inlined).
@usableFromInline
struct RTreeSelection {
    @usableFromInline enum Kind { case intersecting, containedIn, containing, all }
    @usableFromInline let kind: Kind
    @usableFromInline let rect: Rect

    @inlinable
    init(_ kind: Kind, _ rect: Rect) {
        self.kind = kind
        self.rect = rect
    }

    @inlinable
    func accepts(_ entry: Rect) -> Bool {
        switch kind {
        case .intersecting, .containing: return entry.intersects(rect)
        case .containedIn: return rect.contains(entry)
        case .all: return true
        }
    }
}

extension RTree {
    @inlinable
    func withNodeView<Result>(_ body: (RTreeNodeView<Payload>) throws -> Result) rethrows -> Result {
        try leafRects.withUnsafeBufferPointer { leafRects in
            try leafPayloads.withUnsafeBufferPointer { leafPayloads in
                try leafCounts.withUnsafeBufferPointer { leafCounts in
                    try innerBounds.withUnsafeBufferPointer { innerBounds in
                        try innerChildren.withUnsafeBufferPointer { innerChildren in
                            try innerCounts.withUnsafeBufferPointer { innerCounts in
                                try body(RTreeNodeView(
                                    leafRects: leafRects, leafPayloads: leafPayloads,
                                    leafCounts: leafCounts, innerBounds: innerBounds,
                                    innerChildren: innerChildren, innerCounts: innerCounts,
                                    maxEntries: maxEntries))
                            }
                        }
                    }
                }
            }
        }
    }

    /// The one selection primitive: descends into children that may hold selected entries and
    /// visits the entries `selection` accepts, stopping when `visit` returns false.
    ///
    /// Returns false if stopped early. Iterative over a stack-allocated node stack (depth-first
    /// needs at most M - 1 pending siblings per level), so the predicates and `visit` inline into
    /// the loop and a query allocates nothing on the heap.
    @inlinable
    func select(_ selection: RTreeSelection, _ visit: (Rect, Payload) throws -> Bool) rethrows -> Bool {
        guard height > 0 else { return true }
        let stackCapacity = height * maxEntries + 1
        return try withNodeView { view in
            try withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * stackCapacity) { stack in
                let maxEntries = view.maxEntries
                let query = RTreeFloatRect(outward: selection.rect)
                // Pairs (node, level); a leaf's entries are scanned as soon as it is popped.
                stack[0] = rootNode
                stack[1] = height - 1
                var top = 2
                while top > 0 {
                    top -= 2
                    let node = stack[top], level = stack[top + 1]
                    let base = node * maxEntries
                    if level == 0 {
                        let end = base + Int(view.leafCounts[node])
                        var slot = base
                        while slot < end {
                            let rect = view.leafRects[slot]
                            if selection.accepts(rect), try !visit(rect, view.leafPayloads[slot]) { return false }
                            slot += 1
                        }
                    } else {
                        // On the Float32 rects: a superset test, they cover the exact ones.
                        let end = base + Int(view.innerCounts[node])
                        var slot = base
                        while slot < end {
                            if selection.kind == .all || query.intersects(view.innerFloats(slot)) {
                                stack[top] = Int(view.innerChildren[slot])
                                stack[top + 1] = level - 1
                                top += 2
                            }
                            slot += 1
                        }
                    }
                }
                return true
            }
        }
    }

    /// Visits every entry whose bounds intersect `rect` (edges touching count), in no particular
    /// order; stops when `visit` returns false.
    ///
    /// Returns false if `visit` stopped the walk. An empty `rect` matches nothing.
    @inlinable @discardableResult
    public func forEach(intersecting rect: Rect,
                        _ visit: (Rect, Payload) throws -> Bool) rethrows -> Bool {
        try select(RTreeSelection(.intersecting, rect), visit)
    }

    /// Visits every entry whose bounds lie inside `rect` (edges may touch); stops when `visit`
    /// returns false. Returns false if stopped early.
    @inlinable @discardableResult
    public func forEach(containedIn rect: Rect,
                        _ visit: (Rect, Payload) throws -> Bool) rethrows -> Bool {
        try select(RTreeSelection(.containedIn, rect), visit)
    }

    /// Visits every entry whose bounds hold `point` (edges included); stops when `visit` returns
    /// false. Returns false if stopped early.
    @inlinable @discardableResult
    public func forEach(containing point: Point,
                        _ visit: (Rect, Payload) throws -> Bool) rethrows -> Bool {
        try select(RTreeSelection(.containing, Rect(point: point)), visit)
    }

    /// Visits every entry in no particular order; stops when `visit` returns false.
    @inlinable @discardableResult
    public func forEach(_ visit: (Rect, Payload) throws -> Bool) rethrows -> Bool {
        try select(RTreeSelection(.all, .empty), visit)
    }

    /// Payloads of the entries whose bounds intersect `rect`, in no particular order.
    @inlinable
    public func search(intersecting rect: Rect) -> [Payload] {
        var found: [Payload] = []
        forEach(intersecting: rect) { _, payload in
            found.append(payload)
            return true
        }
        return found
    }

    /// Payloads of the entries whose bounds lie inside `rect`, in no particular order.
    @inlinable
    public func search(containedIn rect: Rect) -> [Payload] {
        var found: [Payload] = []
        forEach(containedIn: rect) { _, payload in
            found.append(payload)
            return true
        }
        return found
    }

    /// Point location: payloads of the entries whose bounds hold `point`, in no particular order.
    @inlinable
    public func search(containing point: Point) -> [Payload] {
        var found: [Payload] = []
        forEach(containing: point) { _, payload in
            found.append(payload)
            return true
        }
        return found
    }
}
