public import GeoCore
public import Wire

/// Counts point events per grid cell per sliding window (topic `heatmap`).
///
/// Time follows the pipeline's windows (Flink's convention): the window ending at `T`, a multiple
/// of `slide`, holds events with `T − size ≤ t < T`. Each event is counted once, in its **pane**
/// `[k·g, (k+1)·g)` with `g = gcd(size, slide)`; a window is the sum of the `size / g` panes it
/// covers, and a pane is dropped once no window still to be emitted covers it.
///
/// - `advance` emits every window ending at or before the watermark that was not emitted yet and
///   holds at least one event (windows in a gap of the stream hold none and are skipped, never
///   emitted empty); `finish` emits every remaining one. Each window is emitted at most once.
/// - Outputs of a worker are **partials** (`{"cell":"<id>","count":N}`, `t` = window end): a cell
///   can be split over workers. `combine` sums them and renders the published object.
/// - An event whose windows were all emitted already (behind the watermark; the runtime normally
///   rejects those as late first) is not counted anywhere and is tallied in `ignoredLateEvents`; a
///   late event with some window still open counts in those windows only.
/// - Halo batches are ignored (a halo copy is counted by the worker it belongs to), and so are
///   polygon events: a heatmap counts points.
///
/// - Warning: a value type with no internal locking; one instance per worker thread.
public struct HeatmapOperator: StreamOperator {
    public let spec: HeatmapSpec
    public let grid: HeatmapGrid
    /// Window size and slide in ms, fixed at init (the clock of later calls only brings the watermark).
    public let size: Int64
    public let slide: Int64
    /// gcd(size, slide): every window boundary and every window start is a multiple of it.
    let paneLength: Int64

    /// Panes holding at least one event, in ascending `start` order (usually `size / g + 1` of them).
    var panes: [HeatmapPane] = []
    /// Where the last event went: consecutive events nearly always share a pane.
    private var recentPane = 0
    /// Every window ending at or before this has been emitted (or held no event).
    private(set) var closedThrough = Int64.min
    /// Panes starting before this belong to no window still to be emitted.
    private(set) var earliestOpenPaneStart = Int64.min
    /// Scratch for summing panes, kept to reuse its capacity from window to window.
    private var windowCounts = HeatmapCellCounts()

    public private(set) var retainedEvents = 0
    /// Events not counted because every window holding them had already been emitted.
    public private(set) var ignoredLateEvents = 0

    public static let topic = "heatmap"

    /// - Precondition: `spec` passes `validate()`, `clock.size` and `clock.slide` are positive,
    ///   and `bbox` has a finite centre latitude.
    public init(spec: HeatmapSpec, bbox: Rect, clock: WindowClock) {
        precondition(clock.size > 0 && clock.slide > 0,
                     "heatmap window size \(clock.size) ms and slide \(clock.slide) ms must be positive")
        precondition(spec.minCount >= 1, "heatmap minCount \(spec.minCount) must be at least 1 (validate the spec first)")
        self.spec = spec
        self.grid = HeatmapGrid(cells: spec.cells, bbox: bbox)
        self.size = clock.size
        self.slide = clock.slide
        self.paneLength = Self.greatestCommonDivisor(clock.size, clock.slide)
    }

    public mutating func apply(points: [PointEvent], halo: Bool, clock: WindowClock, into results: inout [OperatorOutput]) {
        guard !halo else { return }
        var counted = 0
        for index in points.indices {
            let paneStart = Self.floorToMultiple(points[index].t, of: paneLength)
            guard paneStart >= earliestOpenPaneStart else {
                ignoredLateEvents += 1
                continue
            }
            let point = points[index].point
            let key = grid.key(ofLon: point.lon, lat: point.lat)
            let paneIndex = self.paneIndex(startingAt: paneStart)
            panes[paneIndex].counts.add(key)
            panes[paneIndex].events += 1
            counted += 1
        }
        retainedEvents += counted
    }

    /// Polygons are not counted: a heatmap counts point events (documented in docs/operators.md).
    public mutating func apply(polygons: [PolygonEvent], halo: Bool, clock: WindowClock, into results: inout [OperatorOutput]) {}

    public mutating func advance(clock: WindowClock, into results: inout [OperatorOutput]) {
        assert(clock.size == size && clock.slide == slide, "the window of a running heatmap changed")
        let watermark = clock.watermark
        guard watermark > closedThrough else { return }
        emitWindows(endingThrough: watermark, into: &results)
        closedThrough = watermark
        // The first window still to come ends at the first slide boundary after the watermark.
        let nextEnd = Self.floorToMultiple(watermark, of: slide).addingReportingOverflow(slide)
        earliestOpenPaneStart = nextEnd.overflow ? .max : Self.saturatingSubtract(nextEnd.partialValue, size)
        dropPanes(startingBefore: earliestOpenPaneStart)
    }

    public mutating func finish(clock: WindowClock, into results: inout [OperatorOutput]) {
        guard closedThrough < .max else { return }
        emitWindows(endingThrough: .max, into: &results)
        closedThrough = .max
        earliestOpenPaneStart = .max
        dropPanes(startingBefore: .max)
    }

    // MARK: - Windows

    /// Emits, in ascending order, each window ending in `(closedThrough, watermark]` that covers a pane.
    ///
    /// Jumps straight from a window to the next one covering a pane, so a gap of a day costs nothing.
    private mutating func emitWindows(endingThrough watermark: Int64, into results: inout [OperatorOutput]) {
        guard let firstPane = panes.first, let firstPaneEnd = paneEnd(startingAt: firstPane.start),
              var end = Self.ceilingToMultiple(max(firstPaneEnd, closedThrough + 1), of: slide)
        else { return }
        var cursor = 0  // the first pane that can lie in window `end` or a later one
        while end <= watermark {
            let start = Self.saturatingSubtract(end, size)
            while cursor < panes.count && panes[cursor].start < start { cursor += 1 }
            guard cursor < panes.count else { return }
            let candidateStart = panes[cursor].start
            if candidateStart < end {
                var past = cursor
                while past < panes.count && panes[past].start < end { past += 1 }
                emitWindow(ending: end, panes: cursor..<past, into: &results)
                guard end <= Int64.max - slide else { return }
                end += slide
            } else {
                guard let candidateEnd = paneEnd(startingAt: candidateStart),
                      let next = Self.ceilingToMultiple(candidateEnd, of: slide)
                else { return }
                end = next
            }
        }
    }

    /// One partial per non-empty cell of the window, ascending by cell key so a worker's output is
    /// the same on every run.
    private mutating func emitWindow(ending end: Int64, panes range: Range<Int>, into results: inout [OperatorOutput]) {
        let cells: [HeatmapCellCounts.Slot]
        if range.count == 1 {
            cells = panes[range.lowerBound].counts.sortedByKey()
        } else {
            var merged = windowCounts
            windowCounts = HeatmapCellCounts()  // moved out, so `merged` is not copied on write
            merged.removeAll()
            for index in range {
                panes[index].counts.forEach { key, count in merged.add(key, count) }
            }
            cells = merged.sortedByKey()
            windowCounts = merged
        }
        // No reserveCapacity here: reserving exactly what each window adds would reallocate `results`
        // (which may hold earlier windows) once per window instead of geometrically.
        for cell in cells {
            results.append(OperatorOutput(topic: Self.topic, t: end, json: renderPartial(cellKey: cell.key, count: cell.count)))
        }
    }

    // MARK: - Panes

    /// The index of the pane starting at `start`, created (with room for as many cells as its
    /// neighbour held) when missing.
    private mutating func paneIndex(startingAt start: Int64) -> Int {
        if recentPane < panes.count && panes[recentPane].start == start { return recentPane }
        var low = 0, high = panes.count
        while low < high {
            let middle = (low + high) / 2
            if panes[middle].start < start { low = middle + 1 } else { high = middle }
        }
        if low == panes.count || panes[low].start != start {
            let neighbour = low > 0 ? low - 1 : (low < panes.count ? low : nil)
            let expectedCells = neighbour.map { panes[$0].counts.count } ?? 0
            panes.insert(HeatmapPane(start: start, reservingCapacity: expectedCells), at: low)
        }
        recentPane = low
        return low
    }

    /// Where a pane ends; nil past `Int64.max` (no window can end there).
    private func paneEnd(startingAt start: Int64) -> Int64? {
        let end = start.addingReportingOverflow(paneLength)
        return end.overflow ? nil : end.partialValue
    }

    private mutating func dropPanes(startingBefore limit: Int64) {
        let dropped = panes.prefix { $0.start < limit }
        guard !dropped.isEmpty else { return }
        retainedEvents -= dropped.reduce(0) { $0 + $1.events }
        panes.removeFirst(dropped.count)
        recentPane = 0
    }

    // MARK: - Integer arithmetic

    /// The largest multiple of `step` (positive) at or below `value`, for negative times too
    /// (`Int64.min` when that multiple is below it: times that absurd only need not trap).
    static func floorToMultiple(_ value: Int64, of step: Int64) -> Int64 {
        let quotient = value / step
        let product = (value % step < 0 ? quotient - 1 : quotient).multipliedReportingOverflow(by: step)
        return product.overflow ? .min : product.partialValue
    }

    /// `value − amount` (amount ≥ 0), `Int64.min` instead of wrapping.
    static func saturatingSubtract(_ value: Int64, _ amount: Int64) -> Int64 {
        let difference = value.subtractingReportingOverflow(amount)
        return difference.overflow ? .min : difference.partialValue
    }

    /// The smallest multiple of `step` (positive) at or above `value`; nil when past `Int64.max`.
    static func ceilingToMultiple(_ value: Int64, of step: Int64) -> Int64? {
        let quotient = value / step
        let product = (value % step > 0 ? quotient + 1 : quotient).multipliedReportingOverflow(by: step)
        return product.overflow ? nil : product.partialValue
    }

    static func greatestCommonDivisor(_ a: Int64, _ b: Int64) -> Int64 {
        var (a, b) = (a, b)
        while b != 0 { (a, b) = (b, a % b) }
        return a
    }
}

/// The events of one pane, counted per cell key.
struct HeatmapPane {
    let start: Int64
    var counts: HeatmapCellCounts
    var events = 0

    init(start: Int64, reservingCapacity capacity: Int) {
        self.start = start
        self.counts = HeatmapCellCounts(minimumCapacity: capacity)
    }
}
