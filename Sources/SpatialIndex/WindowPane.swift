public import GeoCore

/// What a pane's R-tree stores per entry: the rect is the tree key; a point's geometry is its rect, other
/// geometries sit in the pane's `shapes` so that the common case (points) carries no geometry copy.
@usableFromInline
struct WindowRecord<Payload> {
    @usableFromInline var time: Int64
    @usableFromInline var payload: Payload
    /// Index into `WindowPane.shapes`, or -1 for a point.
    @usableFromInline var shape: Int32

    @inlinable
    init(time: Int64, payload: Payload, shape: Int32) {
        self.time = time
        self.payload = payload
        self.shape = shape
    }
}

extension WindowRecord: Sendable where Payload: Sendable {}

/// The entries whose time falls in `[start, end)`.
///
/// Buffered (the default, `sealsPanes`): new entries are appended to `buffer`; every `WindowConfiguration.runCapacity` of
/// them are STR-loaded into a small tree in `runs`; when the window end passes the pane, everything is
/// STR-loaded into `tree` once (sealing). So an entry is bulk-loaded twice and never dynamically inserted,
/// which is several times cheaper than R-tree insertion, and queries meet fewer than `runCapacity`
/// unindexed entries per open pane. Unbuffered: every entry goes straight into `tree` by dynamic insert.
/// Entries arriving in an already sealed pane (late by the runtime's measure) are inserted dynamically.
@usableFromInline
struct WindowPane<Payload> {
    @usableFromInline let key: Int64
    @usableFromInline let start: Int64
    @usableFromInline let end: Int64
    @usableFromInline var tree: RTree<WindowRecord<Payload>>
    @usableFromInline var runs: [RTree<WindowRecord<Payload>>] = []
    @usableFromInline var buffer: [(bounds: Rect, payload: WindowRecord<Payload>)] = []
    @usableFromInline var shapes: [Geometry] = []
    @usableFromInline var isSealed = false
    @usableFromInline var count = 0

    @inlinable
    init(key: Int64, width: Int64, configuration: RTreeConfiguration) {
        self.key = key
        start = WindowTime.multiply(key, width)
        end = WindowTime.add(start, width)
        tree = RTree(configuration: configuration)
    }

    /// The main tree and the runs (for validation and nearest-neighbour search).
    @inlinable
    var trees: [RTree<WindowRecord<Payload>>] { [tree] + runs }

    @inlinable
    mutating func insert(_ record: WindowRecord<Payload>, bounds: Rect, buffered: Bool, runCapacity: Int) {
        count += 1
        guard buffered && !isSealed else {
            tree.insert(record, bounds: bounds)
            return
        }
        if buffer.isEmpty { buffer.reserveCapacity(runCapacity) }
        buffer.append((bounds, record))
        if buffer.count >= runCapacity {
            runs.append(RTree(bulkLoading: buffer, configuration: tree.configuration))
            buffer.removeAll(keepingCapacity: true)
        }
    }

    @inlinable
    func entry(bounds: Rect, record: WindowRecord<Payload>) -> WindowEntry<Payload> {
        let geometry: Geometry = record.shape < 0
            ? .point(Point(x: bounds.minX, y: bounds.minY)) : shapes[Int(record.shape)]
        return WindowEntry(geometry: geometry, time: record.time, payload: record.payload)
    }

    /// Every stored item, tree, runs and buffer; false when `visit` stopped it.
    @inlinable
    @discardableResult
    func forEachItem(_ visit: (Rect, WindowRecord<Payload>) throws -> Bool) rethrows -> Bool {
        guard try tree.forEach(visit) else { return false }
        for run in runs { guard try run.forEach(visit) else { return false } }
        for item in buffer { guard try visit(item.bounds, item.payload) else { return false } }
        return true
    }

    @inlinable
    @discardableResult
    func forEachEntry(_ visit: (WindowEntry<Payload>) throws -> Bool) rethrows -> Bool {
        try forEachItem { bounds, record in try visit(entry(bounds: bounds, record: record)) }
    }

    /// The items whose bounds pass `filter`, from the tree, the runs and the buffer.
    @inlinable
    func select(_ filter: WindowBoundsFilter, _ visit: (Rect, WindowRecord<Payload>) throws -> Bool) rethrows -> Bool {
        switch filter {
        case .intersecting(let rect):
            guard try tree.forEach(intersecting: rect, visit) else { return false }
            for run in runs { guard try run.forEach(intersecting: rect, visit) else { return false } }
            for item in buffer where item.bounds.intersects(rect) {
                guard try visit(item.bounds, item.payload) else { return false }
            }
        case .containedIn(let rect):
            guard try tree.forEach(containedIn: rect, visit) else { return false }
            for run in runs { guard try run.forEach(containedIn: rect, visit) else { return false } }
            for item in buffer where rect.contains(item.bounds) {
                guard try visit(item.bounds, item.payload) else { return false }
            }
        }
        return true
    }

    /// Folds runs and buffer (and the main tree) into one STR-loaded tree.
    @inlinable
    mutating func seal(configuration: RTreeConfiguration) {
        var items: [(bounds: Rect, payload: WindowRecord<Payload>)] = []
        items.reserveCapacity(count)
        forEachItem { bounds, record in items.append((bounds, record)); return true }
        tree = RTree(bulkLoading: items, configuration: configuration)
        runs = []
        buffer = []
        isSealed = true
    }

    /// Removes the entries with `t < cutoff` by rebuilding from the survivors; returns how many went.
    @inlinable
    mutating func trim(before cutoff: Int64, expired: ((WindowEntry<Payload>) -> Void)?) -> Int {
        var survivors: [(bounds: Rect, payload: WindowRecord<Payload>)] = []
        survivors.reserveCapacity(count)
        var removed = 0
        forEachItem { bounds, record in
            if record.time >= cutoff {
                survivors.append((bounds, record))
            } else {
                removed += 1
                expired?(entry(bounds: bounds, record: record))
            }
            return true
        }
        guard removed > 0 else { return 0 }
        tree = RTree(bulkLoading: survivors, configuration: tree.configuration)
        runs = []
        buffer = []
        isSealed = true
        count = survivors.count
        return removed
    }
}

extension WindowPane: Sendable where Payload: Sendable {}
