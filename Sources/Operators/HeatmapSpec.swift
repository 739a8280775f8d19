/// Parameters of the `heatmap` operator as a pipeline file gives them.
public struct HeatmapSpec: Hashable, Sendable {
    /// How the plane is cut into cells.
    public enum Cells: Hashable, Sendable {
        /// Square-ish cells of this many metres: rows of `metres` of latitude, columns of `metres`
        /// of longitude measured at the pipeline bbox's centre latitude (documented distortion away
        /// from it).
        case metres(Double)
        /// Web-Mercator tiles of this zoom level (0...24), the H3-like "level" users know from maps.
        case level(Int)
    }

    public var cells: Cells
    /// Cells with fewer events in a window are not published (default 1: every non-empty cell).
    public var minCount: Int

    public init(cells: Cells, minCount: Int = 1) {
        self.cells = cells
        self.minCount = minCount
    }

    /// Smallest accepted cell size: GPS error is metres, and below this the column index of a
    /// narrow grid would no longer fit the 32 bits a cell key gives it.
    public static let minimumMetres = 1.0
    public static let levels = 0...24

    /// Checks what the operator's initializer takes for granted; the pipeline loader calls this so
    /// a bad value is reported with the file's key rather than trapping in a worker.
    public func validate() throws(HeatmapSpecError) {
        switch cells {
        case let .metres(metres):
            guard metres.isFinite, metres >= Self.minimumMetres else {
                throw HeatmapSpecError(key: "cell", message: "cell size \(metres) m must be a finite number of at least \(Self.minimumMetres) m")
            }
        case let .level(level):
            guard Self.levels.contains(level) else {
                throw HeatmapSpecError(key: "level", message: "level \(level) must be in \(Self.levels.lowerBound)...\(Self.levels.upperBound)")
            }
        }
        guard minCount >= 1 else {
            throw HeatmapSpecError(key: "min-count", message: "min-count \(minCount) must be at least 1")
        }
    }
}

/// A heatmap parameter out of range: which parameter (`key`, as the pipeline file spells it) and why.
public struct HeatmapSpecError: Error, Hashable, Sendable, CustomStringConvertible {
    public var key: String
    public var message: String

    public init(key: String, message: String) {
        self.key = key
        self.message = message
    }

    public var description: String { "heatmap \(key): \(message)" }
}
