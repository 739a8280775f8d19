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
    @usableFromInline let innerRects: UnsafeBufferPointer<Rect>
    @usableFromInline let innerChildren: UnsafeBufferPointer<Int32>
    @usableFromInline let innerCounts: UnsafeBufferPointer<Int32>
    @usableFromInline let maxEntries: Int

    @inlinable
    init(leafRects: UnsafeBufferPointer<Rect>, leafPayloads: UnsafeBufferPointer<Payload>,
         leafCounts: UnsafeBufferPointer<Int32>, innerRects: UnsafeBufferPointer<Rect>,
         innerChildren: UnsafeBufferPointer<Int32>, innerCounts: UnsafeBufferPointer<Int32>,
         maxEntries: Int) {
        self.leafRects = leafRects
        self.leafPayloads = leafPayloads
        self.leafCounts = leafCounts
        self.innerRects = innerRects
        self.innerChildren = innerChildren
        self.innerCounts = innerCounts
        self.maxEntries = maxEntries
    }
}

extension RTree {
    @inlinable
    func withNodeView<Result>(_ body: (RTreeNodeView<Payload>) throws -> Result) rethrows -> Result {
        try leafRects.withUnsafeBufferPointer { leafRects in
            try leafPayloads.withUnsafeBufferPointer { leafPayloads in
                try leafCounts.withUnsafeBufferPointer { leafCounts in
                    try innerRects.withUnsafeBufferPointer { innerRects in
                        try innerChildren.withUnsafeBufferPointer { innerChildren in
                            try innerCounts.withUnsafeBufferPointer { innerCounts in
                                try body(RTreeNodeView(
                                    leafRects: leafRects, leafPayloads: leafPayloads,
                                    leafCounts: leafCounts, innerRects: innerRects,
                                    innerChildren: innerChildren, innerCounts: innerCounts,
                                    maxEntries: maxEntries))
                            }
                        }
                    }
                }
            }
        }
    }

    /// The one selection primitive: descends into children whose rect passes `descend` and visits
    /// entries whose rect passes `accept`, stopping when `visit` returns false.
    ///
    /// `descend` must hold for a node rect whenever `accept` holds for any entry inside it.
    /// Returns false if stopped early.
    @inlinable
    func select(descend: (Rect) -> Bool, accept: (Rect) -> Bool,
                _ visit: (Rect, Payload) throws -> Bool) rethrows -> Bool {
        guard height > 0 else { return true }
        return try withNodeView { view in
            try Self.select(view, node: rootNode, level: height - 1,
                            descend: descend, accept: accept, visit)
        }
    }

    @inlinable
    static func select(_ view: RTreeNodeView<Payload>, node: Int, level: Int,
                       descend: (Rect) -> Bool, accept: (Rect) -> Bool,
                       _ visit: (Rect, Payload) throws -> Bool) rethrows -> Bool {
        let base = node * view.maxEntries
        if level == 0 {
            let end = base + Int(view.leafCounts[node])
            var slot = base
            while slot < end {
                let rect = view.leafRects[slot]
                if accept(rect), try !visit(rect, view.leafPayloads[slot]) { return false }
                slot += 1
            }
        } else {
            let end = base + Int(view.innerCounts[node])
            var slot = base
            while slot < end {
                if descend(view.innerRects[slot]) {
                    let child = Int(view.innerChildren[slot])
                    if try !select(view, node: child, level: level - 1,
                                   descend: descend, accept: accept, visit) { return false }
                }
                slot += 1
            }
        }
        return true
    }

    /// Visits every entry whose bounds intersect `rect` (edges touching count), in no particular
    /// order; stops when `visit` returns false.
    ///
    /// Returns false if `visit` stopped the walk. An empty `rect` matches nothing.
    @inlinable @discardableResult
    public func forEach(intersecting rect: Rect,
                        _ visit: (Rect, Payload) throws -> Bool) rethrows -> Bool {
        try select(descend: { $0.intersects(rect) }, accept: { $0.intersects(rect) }, visit)
    }

    /// Visits every entry whose bounds lie inside `rect` (edges may touch); stops when `visit`
    /// returns false. Returns false if stopped early.
    @inlinable @discardableResult
    public func forEach(containedIn rect: Rect,
                        _ visit: (Rect, Payload) throws -> Bool) rethrows -> Bool {
        try select(descend: { $0.intersects(rect) }, accept: { rect.contains($0) }, visit)
    }

    /// Visits every entry whose bounds hold `point` (edges included); stops when `visit` returns
    /// false. Returns false if stopped early.
    @inlinable @discardableResult
    public func forEach(containing point: Point,
                        _ visit: (Rect, Payload) throws -> Bool) rethrows -> Bool {
        try select(descend: { $0.contains(point) }, accept: { $0.contains(point) }, visit)
    }

    /// Visits every entry in no particular order; stops when `visit` returns false.
    @inlinable @discardableResult
    public func forEach(_ visit: (Rect, Payload) throws -> Bool) rethrows -> Bool {
        try select(descend: { _ in true }, accept: { _ in true }, visit)
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
