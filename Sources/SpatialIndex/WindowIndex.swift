public import GeoCore

/// An event-time sliding window of points and polygons, indexed by one R-tree per time pane.
///
/// Windows follow Flink's convention: window ends are multiples of `slide` counted from epoch 0 and the
/// window ending at `T` holds the entries with `T − size ≤ t < T`. `advance(to:)` moves to the latest end
/// `T ≤ watermark` and drops every pane older than `T − size` at once, so expiry costs O(panes), not
/// O(entries). Entries are held from insertion until they expire, including ones newer than the current
/// window end (they arrive ahead of the watermark); **queries see only the current window**
/// (`lowerBound ≤ t < windowEnd`), so a query's answer depends on the window alone and not on how far
/// ahead the input has been read: a replay answers exactly like the live run. Before the first advance
/// there is no window end yet and queries see every entry.
///
/// A value type: a copy is an O(1) snapshot. The first mutation after a copy copies the pane list and
/// then each pane's tree as it is touched (copy-on-write of the R-trees).
/// - Warning: not synchronised; share snapshots between threads, not one mutable instance.
public struct SlidingWindowIndex<Payload> {
    public typealias Entry = WindowEntry<Payload>

    public let configuration: WindowConfiguration
    /// Pane indices (floor(t / paneWidth)), strictly ascending, parallel to `panes`; kept apart so that
    /// locating a pane on insert scans plain integers.
    @usableFromInline var paneKeys: [Int64] = []
    @usableFromInline var panes: [WindowPane<Payload>] = []
    @usableFromInline var heldCount = 0
    @usableFromInline var currentWindowEnd: Int64?
    @usableFromInline var currentLowerBound: Int64 = .min

    public init(configuration: WindowConfiguration) {
        self.configuration = configuration
    }

    /// Every entry held, including those newer than the window end (waiting for the watermark).
    @inlinable public var count: Int { heldCount }
    @inlinable public var isEmpty: Bool { heldCount == 0 }

    /// Entries with `t >= lowerBound` are held; older inserts are refused. `Int64.min` before the first advance.
    @inlinable public var lowerBound: Int64 { currentLowerBound }

    /// End `T` (exclusive) of the window the queries answer from; nil before the first advance.
    @inlinable public var windowEnd: Int64? { currentWindowEnd }

    /// How many panes (R-trees) currently hold entries.
    @inlinable public var paneCount: Int { panes.count }

    /// Adds an entry, or refuses it (returns false) when `time < lowerBound`: it belongs to a window that
    /// has already expired. Lateness against the watermark is the runtime's decision, made before this.
    @inlinable
    @discardableResult
    public mutating func insert(_ payload: Payload, geometry: Geometry, time: Int64) -> Bool {
        guard time >= currentLowerBound else { return false }
        let slot = paneSlot(forTime: time)
        if case .point(let point) = geometry {
            panes[slot].tree.insert(WindowRecord(time: time, payload: payload, shape: -1), bounds: Rect(point: point))
        } else {
            let shape = Int32(truncatingIfNeeded: panes[slot].shapes.count)
            panes[slot].shapes.append(geometry)
            panes[slot].tree.insert(WindowRecord(time: time, payload: payload, shape: shape), bounds: geometry.bounds)
        }
        heldCount += 1
        return true
    }

    /// Moves to the latest window end `T ≤ watermark` (a multiple of `slide`) and expires every entry with
    /// `t < T − size`. Returns how many expired.
    ///
    /// A watermark that does not reach a later window end than the current one changes nothing (windows
    /// never move back).
    @inlinable
    @discardableResult
    public mutating func advance(to watermark: Int64) -> Int {
        advanceWindow(to: watermark, expired: nil)
    }

    /// Like `advance(to:)`, handing each expired entry to `expired` (in no particular order) before it goes,
    /// for operators that must know what left the window (clustering).
    @inlinable
    @discardableResult
    public mutating func advance(to watermark: Int64, expired: (WindowEntry<Payload>) -> Void) -> Int {
        withoutActuallyEscaping(expired) { advanceWindow(to: watermark, expired: $0) }
    }

    @inlinable
    mutating func advanceWindow(to watermark: Int64, expired: ((WindowEntry<Payload>) -> Void)?) -> Int {
        let slide = configuration.slide
        let end = WindowTime.multiply(WindowTime.floorDivide(watermark, slide), slide)
        if let current = currentWindowEnd, end <= current { return 0 }
        currentWindowEnd = end
        let cutoff = WindowTime.subtract(end, configuration.size)
        currentLowerBound = Swift.max(currentLowerBound, cutoff)
        let removed = expire(before: cutoff, expired: expired)
        if configuration.sealsPanes { sealPanes(endingBy: end) }
        return removed
    }

    /// Index in `panes` of the pane for `time`, created (empty) if absent. Scans from the newest pane
    /// because event times arrive nearly in order.
    @inlinable
    mutating func paneSlot(forTime time: Int64) -> Int {
        let width = configuration.paneWidth
        let key = WindowTime.floorDivide(time, width)
        var slot = paneKeys.count
        while slot > 0 && paneKeys[slot - 1] > key { slot -= 1 }
        if slot > 0 && paneKeys[slot - 1] == key { return slot - 1 }
        paneKeys.insert(key, at: slot)
        panes.insert(WindowPane(key: key, width: width, configuration: configuration.rtree), at: slot)
        return slot
    }

    /// Drops every pane ending at or before `cutoff` whole, then trims the one pane that straddles it
    /// (only possible when panes were widened, see `WindowConfiguration`).
    @inlinable
    mutating func expire(before cutoff: Int64, expired: ((WindowEntry<Payload>) -> Void)?) -> Int {
        var dropped = 0
        var removed = 0
        while dropped < panes.count && panes[dropped].end <= cutoff {
            removed += panes[dropped].tree.count
            if let expired { panes[dropped].forEachEntry { expired($0); return true } }
            dropped += 1
        }
        if dropped > 0 {
            panes.removeFirst(dropped)
            paneKeys.removeFirst(dropped)
        }
        if !panes.isEmpty && panes[0].start < cutoff {
            removed += panes[0].trim(before: cutoff, expired: expired)
            if panes[0].tree.isEmpty {
                panes.removeFirst()
                paneKeys.removeFirst()
            }
        }
        heldCount -= removed
        return removed
    }

    /// Bulk-reloads every pane that ended by `end`: inserts into it from now on are late events only.
    @inlinable
    mutating func sealPanes(endingBy end: Int64) {
        for slot in panes.indices where !panes[slot].isSealed && panes[slot].end <= end {
            panes[slot].seal(configuration: configuration.rtree)
        }
    }
}

extension SlidingWindowIndex: Sendable where Payload: Sendable {}

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

/// The entries whose time falls in `[start, end)`, with their own R-tree.
@usableFromInline
struct WindowPane<Payload> {
    @usableFromInline let key: Int64
    @usableFromInline let start: Int64
    @usableFromInline let end: Int64
    @usableFromInline var tree: RTree<WindowRecord<Payload>>
    @usableFromInline var shapes: [Geometry] = []
    @usableFromInline var isSealed = false

    @inlinable
    init(key: Int64, width: Int64, configuration: RTreeConfiguration) {
        self.key = key
        start = WindowTime.multiply(key, width)
        end = WindowTime.add(start, width)
        tree = RTree(configuration: configuration)
    }

    @inlinable
    func entry(bounds: Rect, record: WindowRecord<Payload>) -> WindowEntry<Payload> {
        let geometry: Geometry = record.shape < 0
            ? .point(Point(x: bounds.minX, y: bounds.minY)) : shapes[Int(record.shape)]
        return WindowEntry(geometry: geometry, time: record.time, payload: record.payload)
    }

    @inlinable
    @discardableResult
    func forEachEntry(_ visit: (WindowEntry<Payload>) throws -> Bool) rethrows -> Bool {
        try tree.forEach { bounds, record in try visit(entry(bounds: bounds, record: record)) }
    }

    @inlinable
    mutating func seal(configuration: RTreeConfiguration) {
        var items: [(bounds: Rect, payload: WindowRecord<Payload>)] = []
        items.reserveCapacity(tree.count)
        tree.forEach { bounds, record in items.append((bounds, record)); return true }
        tree = RTree(bulkLoading: items, configuration: configuration)
        isSealed = true
    }

    /// Removes the entries with `t < cutoff` by rebuilding from the survivors; returns how many went.
    @inlinable
    mutating func trim(before cutoff: Int64, expired: ((WindowEntry<Payload>) -> Void)?) -> Int {
        var survivors: [(bounds: Rect, payload: WindowRecord<Payload>)] = []
        survivors.reserveCapacity(tree.count)
        var removed = 0
        tree.forEach { bounds, record in
            if record.time >= cutoff {
                survivors.append((bounds, record))
            } else {
                removed += 1
                expired?(entry(bounds: bounds, record: record))
            }
            return true
        }
        if removed > 0 { tree = RTree(bulkLoading: survivors, configuration: tree.configuration) }
        return removed
    }
}

extension WindowPane: Sendable where Payload: Sendable {}
