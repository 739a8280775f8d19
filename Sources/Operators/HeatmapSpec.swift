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
}
