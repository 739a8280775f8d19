public import GeoCore

/// Why a window configuration was refused.
public struct WindowConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable { case nonPositiveSize, nonPositiveSlide }
    public var code: Code
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "invalid window configuration (\(code.rawValue)): \(message)" }
}

/// The shape of an event-time sliding window: how long it is, how far it moves, and how its panes are indexed.
///
/// `size` need not be a multiple of `slide`: entries are grouped into panes of `gcd(size, slide)` ms, so
/// every window boundary is a pane boundary and expiry drops whole panes. When that would make more than
/// `maximumPaneCount` panes per window (say size 60,001 ms, slide 5,000 ms: gcd 1 ms), panes are widened to
/// `size / 64` ms instead; then the oldest pane is trimmed entry by entry at each advance and queries filter
/// entries by time in the one pane that straddles the window end. Results are the same either way.
public struct WindowConfiguration: Hashable, Sendable {
    /// Window length in milliseconds (> 0). Read-only after init so a validated value cannot go bad.
    public private(set) var size: Int64
    /// Distance between consecutive window ends in milliseconds (> 0).
    public private(set) var slide: Int64
    /// Shape of the R-tree inside every pane.
    public var rtree: RTreeConfiguration
    /// Buffer new entries and STR-load them (in runs, then once per pane when the window end passes it)
    /// instead of inserting each into an R-tree; see `WindowPane`. Chosen by benchmark: see
    /// docs/window-index.md. False: plain dynamic R-tree insertion into each pane.
    public var sealsPanes: Bool
    /// With `sealsPanes`, new entries are buffered and STR-loaded into a small tree every `runCapacity`
    /// of them (see `WindowPane`): larger runs mean fewer trees per query but a longer unindexed buffer.
    /// Values below 1 act as 1.
    public var runCapacity: Int {
        get { storedRunCapacity }
        set { storedRunCapacity = Swift.max(1, newValue) }
    }
    @usableFromInline var storedRunCapacity = 4_096
    /// Width in ms of the time slices that each get their own R-tree (see the type's documentation).
    public private(set) var paneWidth: Int64

    /// Above this many panes per window, panes are widened (queries fan out over every pane).
    public static let maximumPaneCount: Int64 = 256

    public init(size: Int64, slide: Int64, rtree: RTreeConfiguration = .init(),
                sealsPanes: Bool = true) throws(WindowConfigurationError) {
        guard size > 0 else {
            throw WindowConfigurationError(code: .nonPositiveSize, message: "size must be > 0 ms, got \(size)")
        }
        guard slide > 0 else {
            throw WindowConfigurationError(code: .nonPositiveSlide, message: "slide must be > 0 ms, got \(slide)")
        }
        self.size = size
        self.slide = slide
        self.rtree = rtree
        self.sealsPanes = sealsPanes
        let common = WindowTime.greatestCommonDivisor(size, slide)
        paneWidth = size / common <= Self.maximumPaneCount ? common : Swift.max(1, size / 64)
    }
}

/// One indexed item: where it is, its event time (epoch ms) and what the caller attached to it.
public struct WindowEntry<Payload> {
    public var geometry: Geometry
    public var time: Int64
    public var payload: Payload

    @inlinable
    public init(geometry: Geometry, time: Int64, payload: Payload) {
        self.geometry = geometry
        self.time = time
        self.payload = payload
    }
}

extension WindowEntry: Sendable where Payload: Sendable {}
extension WindowEntry: Equatable where Payload: Equatable {}
extension WindowEntry: Hashable where Payload: Hashable {}

/// A broken internal invariant of a `SlidingWindowIndex`, found by `validate()`.
public struct WindowInvariantViolation: Error, CustomStringConvertible {
    public var message: String
    /// Pane index (floor(t / paneWidth)) where it was found, when it concerns one pane.
    public var pane: Int64?

    public init(message: String, pane: Int64? = nil) {
        self.message = message
        self.pane = pane
    }

    public var description: String {
        pane.map { "window invariant violated in pane \($0): \(message)" } ?? "window invariant violated: \(message)"
    }
}

/// Int64 millisecond arithmetic that floors (not truncates) and saturates (never traps) at the extremes.
/// Public because every layer that aligns event time to slides (operators, the source) must floor the
/// same way.
public enum WindowTime {
    /// floor(a / b) for b > 0, also for negative a (times before 1970).
    @inlinable
    public static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        let quotient = a / b
        return (a % b != 0 && a < 0) ? quotient - 1 : quotient
    }

    @inlinable
    static func multiply(_ a: Int64, _ b: Int64) -> Int64 {
        let (value, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? ((a < 0) != (b < 0) ? .min : .max) : value
    }

    @inlinable
    static func add(_ a: Int64, _ b: Int64) -> Int64 {
        let (value, overflow) = a.addingReportingOverflow(b)
        return overflow ? (b < 0 ? .min : .max) : value
    }

    @inlinable
    static func subtract(_ a: Int64, _ b: Int64) -> Int64 {
        let (value, overflow) = a.subtractingReportingOverflow(b)
        return overflow ? (b > 0 ? .min : .max) : value
    }

    static func greatestCommonDivisor(_ a: Int64, _ b: Int64) -> Int64 {
        var (x, y) = (a, b)
        while y != 0 { (x, y) = (y, x % y) }
        return x
    }
}
