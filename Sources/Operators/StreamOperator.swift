import SpatialIndex
public import Wire

/// Event-time facts a worker hands its operator with every call: what the window is and how far
/// event time has progressed. Operators never read clocks; everything time-related comes from here.
public struct WindowClock: Hashable, Sendable {
    /// Window length in ms: the window ending at `T` holds events with `T - size <= t < T`.
    public var size: Int64
    /// Slide in ms: windows end at multiples of `slide` counted from epoch 0 (Flink's convention).
    public var slide: Int64
    /// The watermark the worker has reached (max event time seen by the source minus lateness);
    /// `Int64.min` before the first event.
    public var watermark: Int64

    public init(size: Int64, slide: Int64, watermark: Int64 = .min) {
        self.size = size
        self.slide = slide
        self.watermark = watermark
    }

    /// The end of the first window that ends after `t`: the earliest window end at which an event
    /// with time `t` can be reported.
    public func firstWindowEnd(after t: Int64) -> Int64 {
        WindowTime.floorDivide(t, slide) * slide + slide
    }
}

/// A result as an operator produces it, before the publisher numbers and publishes it.
///
/// `t` is the result's **release time**: the publisher releases results in `(t, stage, json)` order
/// once every input's watermark has passed `t`, which is what makes output identical whatever the
/// worker count, batching or thread timing. An operator must therefore never produce a result with
/// `t` at or below the watermark of its *previous* call (the worker sends results before the new
/// watermark, so a window ending at `T` in (previous, new] may carry `t = T`).
///
/// It is the wire's `ResultRecord` (topic, release time, JSON object of the topic's own fields, to
/// which the publisher prepends `topic`, `epoch`, `seq`, `t` and `stage`): what an operator
/// produces travels from worker to publisher as is.
public typealias OperatorOutput = ResultRecord

/// A stream operator: a value holding its own state, driven by batches and watermarks.
///
/// Operators never touch sockets, files or clocks, so they are tested by replaying batches, and
/// the runtime is tested with trivial operators. One instance runs per worker (partition); results
/// of operators whose partitions each see part of the data (a heatmap cell split over two workers)
/// are made whole by `combine`, which the publisher calls on everything it releases at once.
public protocol StreamOperator: Sendable {
    /// Events of one batch routed to this worker, in input order. `halo` marks copies of events
    /// that belong to a neighbouring partition (sent so border neighbourhoods are complete); an
    /// operator must not report a result owned by a halo event.
    mutating func apply(points: [PointEvent], halo: Bool, clock: WindowClock, into results: inout [OperatorOutput])
    mutating func apply(polygons: [PolygonEvent], halo: Bool, clock: WindowClock, into results: inout [OperatorOutput])

    /// Event time progressed to `clock.watermark`: evaluate every window that ends at or before it.
    mutating func advance(clock: WindowClock, into results: inout [OperatorOutput])

    /// End of stream: evaluate every window that holds any event, as if the watermark went to +∞.
    mutating func finish(clock: WindowClock, into results: inout [OperatorOutput])

    /// Makes the partial results of every partition whole. The publisher keeps one instance of the
    /// stage's operator (never fed events) and calls this with results of the stage that are
    /// released together (all with `t` below the merged watermark, from every worker). The output
    /// must not depend on the order of `partials`. The default returns them unchanged.
    ///
    /// Releases come in increasing time order (every call's partials are later than the previous
    /// call's), so `combine` may keep state across calls: the nearby operator keeps the set of near
    /// pairs there, which no single worker can know.
    mutating func combine(_ partials: [OperatorOutput]) -> [OperatorOutput]

    /// True when `combine` orders its output by itself, whatever the order of `partials`; the
    /// publisher then skips sorting the partials by text first. Default false.
    var combineOrdersOutput: Bool { get }

    /// Events the operator currently holds in its window state, for the `stats` topic.
    var retainedEvents: Int { get }
}

extension StreamOperator {
    public func combine(_ partials: [OperatorOutput]) -> [OperatorOutput] { partials }
    public var combineOrdersOutput: Bool { false }
}
