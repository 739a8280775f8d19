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
        let buffered = configuration.sealsPanes
        if case .point(let point) = geometry {
            panes[slot].insert(WindowRecord(time: time, payload: payload, shape: -1), bounds: Rect(point: point),
                               buffered: buffered, runCapacity: configuration.runCapacity)
        } else {
            let shape = Int32(truncatingIfNeeded: panes[slot].shapes.count)
            panes[slot].shapes.append(geometry)
            panes[slot].insert(WindowRecord(time: time, payload: payload, shape: shape), bounds: geometry.bounds,
                               buffered: buffered, runCapacity: configuration.runCapacity)
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
            removed += panes[dropped].count
            if let expired { panes[dropped].forEachEntry { expired($0); return true } }
            dropped += 1
        }
        if dropped > 0 {
            panes.removeFirst(dropped)
            paneKeys.removeFirst(dropped)
        }
        if !panes.isEmpty && panes[0].start < cutoff {
            removed += panes[0].trim(before: cutoff, expired: expired)
            if panes[0].count == 0 {
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
