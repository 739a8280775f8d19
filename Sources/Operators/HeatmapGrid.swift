public import GeoCore
import Foundation

/// One heatmap cell: a column and a row of the grid (for tiles, the slippy-map x and y).
///
/// Both are non-negative: the grid clamps positions on its far edges (lon 180, lat 90, the
/// Mercator limit) into the last column or row instead of creating one past it.
public struct HeatmapCell: Hashable, Sendable, CustomStringConvertible {
    /// Column counted eastwards from lon −180 (tile x).
    public var column: Int
    /// Row: counted northwards from lat −90 for metre cells, southwards from the top for tiles
    /// (tile y), as each convention has it.
    public var row: Int

    public init(column: Int, row: Int) {
        self.column = column
        self.row = row
    }

    public var description: String { "(column \(column), row \(row))" }
}

/// Maps positions to heatmap cells and cells to their ids and lon/lat outlines.
///
/// Two kinds of grid:
/// - **metres**: rows are `m / 111_320` degrees of latitude from lat −90; columns are
///   `m / (111_320 × cos φ₀)` degrees of longitude from lon −180, where φ₀ is the centre latitude of
///   the pipeline bbox. Cells are `m` × `m` at φ₀ only: at latitude φ a cell is `m × cos φ / cos φ₀`
///   metres wide (narrower towards the pole side of φ₀, wider towards the equator side), while its
///   height stays `m`. Over a city bbox the error is a fraction of a percent; over a continent it is not,
///   which is what tiles are for. Id `"m<m>:<column>:<row>"`.
/// - **level z**: Web-Mercator slippy tiles, lat clamped to ±85.0511° (the Mercator square's edge),
///   id `"<z>/<x>/<y>"`, the tile names every web map uses.
///
/// Cells are half-open `[west, east) × [south, north)` except the last column and row, which
/// also hold their far edge (lon 180, lat 90 or the Mercator limit). Outlines are clipped to the world.
public struct HeatmapGrid: Hashable, Sendable {
    public let cells: HeatmapSpec.Cells
    /// Degrees of latitude per row and longitude per column (metre grids only).
    let rowHeight: Double
    let columnWidth: Double
    /// Count of columns and rows covering the world; indices are clamped to `0..<count`.
    let columnCount: Int
    let rowCount: Int
    /// `"m50:"` or `"12/"`: the fixed start of every id.
    private let idPrefix: String
    let idPrefixBytes: [UInt8]
    /// `:` or `/`: what separates column and row in an id.
    let idSeparator: UInt8

    /// Metres per degree of latitude (and of longitude at the equator), the spherical figure the
    /// cell formula uses.
    public static let metresPerDegree = 111_320.0
    /// The latitude where the Web-Mercator square ends: atan(sinh(π)) in degrees.
    public static let mercatorLatitudeLimit = atan(sinh(Double.pi)) * 180 / Double.pi

    /// - Precondition: `cells` passes `HeatmapSpec.validate()`, and `bbox` has a finite centre
    ///   latitude (metre grids only).
    public init(cells: HeatmapSpec.Cells, bbox: Rect) {
        self.cells = cells
        switch cells {
        case let .metres(metres):
            precondition(metres.isFinite && metres >= HeatmapSpec.minimumMetres,
                         "heatmap cell size \(metres) m is invalid (validate the spec first)")
            let centreLatitude = (bbox.minY + bbox.maxY) / 2
            precondition(centreLatitude.isFinite, "heatmap bbox \(bbox) has no finite centre latitude")
            rowHeight = metres / Self.metresPerDegree
            // Near a pole the cosine vanishes; one column then spans the whole world.
            let cosine = cos(centreLatitude * Double.pi / 180)
            columnWidth = cosine > 0 ? min(360, metres / (Self.metresPerDegree * cosine)) : 360
            rowCount = Int((180 / rowHeight).rounded(.up))
            columnCount = Int((360 / columnWidth).rounded(.up))
            idPrefix = "m" + Self.shortText(metres) + ":"
            idSeparator = UInt8(ascii: ":")
        case let .level(level):
            precondition(HeatmapSpec.levels.contains(level), "heatmap level \(level) is invalid (validate the spec first)")
            rowHeight = 0  // unused by tiles (not NaN: the grid must equal itself)
            columnWidth = 0
            columnCount = 1 << level
            rowCount = 1 << level
            idPrefix = "\(level)/"
            idSeparator = UInt8(ascii: "/")
        }
        idPrefixBytes = Array(idPrefix.utf8)
    }

    /// The cell holding `point` (lon/lat degrees, in range).
    public func cell(containing point: Point) -> HeatmapCell {
        let key = key(ofLon: point.lon, lat: point.lat)
        return cell(ofKey: key)
    }

    /// The cell's id as published: `"m50:12:34"` or `"12/2046/1361"`.
    public func id(of cell: HeatmapCell) -> String {
        switch cells {
        case .metres: idPrefix + String(cell.column) + ":" + String(cell.row)
        case .level: idPrefix + String(cell.column) + "/" + String(cell.row)
        }
    }

    /// Appends the id (quoted) without building a `String` for it: workers and the publisher
    /// write one per published cell.
    func appendQuotedID(of cell: HeatmapCell, to json: inout JSONText) {
        json.appendRaw("\"")
        json.appendUnescaped(idPrefixBytes)
        json.appendInteger(cell.column)
        json.appendUnescaped(CollectionOfOne(idSeparator))
        json.appendInteger(cell.row)
        json.appendRaw("\"")
    }

    /// The cell an id names, or nil when it is not an id of this grid (another size or level,
    /// an index out of range, or not an id at all).
    public func cell(parsingID id: Substring) -> HeatmapCell? {
        let bytes = Array(id.utf8)
        return bytes.withUnsafeBufferPointer { cell(parsingID: $0[...]) }
    }

    /// `cell(parsingID:)` over UTF-8 bytes: `combine` reads every partial's id this way, with no
    /// `String` work (Character-level string search costs microseconds per call).
    func cell(parsingID id: Slice<UnsafeBufferPointer<UInt8>>) -> HeatmapCell? {
        guard id.count > idPrefixBytes.count, id.starts(with: idPrefixBytes) else { return nil }
        var index = id.startIndex + idPrefixBytes.count
        guard let column = Self.parseIndex(id, from: &index), index < id.endIndex, id[index] == idSeparator else { return nil }
        index += 1
        guard let row = Self.parseIndex(id, from: &index), index == id.endIndex,
              column < columnCount, row < rowCount
        else { return nil }
        return HeatmapCell(column: column, row: row)
    }

    /// Decimal digits at `index` (1 to `maxDigits` of them, no sign), moving `index` past them;
    /// nil when there are none or more.
    static func parseIndex(_ bytes: Slice<UnsafeBufferPointer<UInt8>>, from index: inout Int, maxDigits: Int = 10) -> Int? {
        let start = index
        var value = 0
        while index < bytes.endIndex, case let digit = bytes[index] &- UInt8(ascii: "0"), digit < 10 {
            guard index - start < maxDigits else { return nil }
            value = value * 10 + Int(digit)
            index += 1
        }
        return index > start ? value : nil
    }

    /// The cell's lon/lat extent, clipped to the world (lon ±180, lat ±90 or the Mercator limit).
    public func bounds(of cell: HeatmapCell) -> Rect {
        let (west, east) = longitudes(ofColumn: cell.column)
        let (south, north) = latitudes(ofRow: cell.row)
        return Rect(minX: west, minY: south, maxX: east, maxY: north)
    }

    /// The west and east edges of a column: they depend on the column alone, which lets the
    /// publisher format them once for every cell of the column.
    func longitudes(ofColumn column: Int) -> (west: Double, east: Double) {
        switch cells {
        case .metres:
            let west = -180 + Double(column) * columnWidth
            return (west, min(180, west + columnWidth))
        case .level:
            let tiles = Double(columnCount)
            return (Double(column) / tiles * 360 - 180, Double(column + 1) / tiles * 360 - 180)
        }
    }

    /// The south and north edges of a row (rows count northwards for metre cells, southwards for tiles).
    func latitudes(ofRow row: Int) -> (south: Double, north: Double) {
        switch cells {
        case .metres:
            let south = -90 + Double(row) * rowHeight
            return (south, min(90, south + rowHeight))
        case .level:
            let tiles = Double(rowCount)
            return (Self.tileLatitude(edge: row + 1, tiles: tiles), Self.tileLatitude(edge: row, tiles: tiles))
        }
    }

    /// The cell's outline as a polygon: 5 positions, closed, counter-clockwise from the south-west.
    public func polygon(of cell: HeatmapCell) -> Polygon {
        Polygon(uncheckedExterior: JSONText.counterClockwiseRing(outlining: bounds(of: cell)))
    }

    /// The middle of the cell's lon/lat extent (for tiles, not the Mercator centre: the two differ
    /// by a few percent of the tile height).
    public func center(of cell: HeatmapCell) -> Point {
        bounds(of: cell).center
    }

    // MARK: - Integer keys (the hot path)

    /// The cell of a position packed in one integer: the publishing order's major index in the high
    /// 32 bits, its minor in the low ones, so sorting keys sorts cells by row then column (metres)
    /// or by x then y (tiles). No strings, one or two divisions.
    func key(ofLon lon: Double, lat: Double) -> Int64 {
        switch cells {
        case .metres:
            let column = Self.clampedIndex((lon + 180) / columnWidth, count: columnCount)
            let row = Self.clampedIndex((lat + 90) / rowHeight, count: rowCount)
            return Int64(row) << 32 | Int64(column)
        case .level:
            let tiles = Double(columnCount)
            let x = Self.clampedIndex((lon + 180) / 360 * tiles, count: columnCount)
            let clampedLat = min(max(lat, -Self.mercatorLatitudeLimit), Self.mercatorLatitudeLimit)
            let radians = clampedLat * Double.pi / 180
            let mercatorY = log(tan(radians) + 1 / cos(radians)) / Double.pi
            let y = Self.clampedIndex((1 - mercatorY) / 2 * tiles, count: rowCount)
            return Int64(x) << 32 | Int64(y)
        }
    }

    func cell(ofKey key: Int64) -> HeatmapCell {
        let major = Int(key >> 32), minor = Int(key & 0xFFFF_FFFF)
        switch cells {
        case .metres: return HeatmapCell(column: minor, row: major)
        case .level: return HeatmapCell(column: major, row: minor)
        }
    }

    func key(of cell: HeatmapCell) -> Int64 {
        switch cells {
        case .metres: Int64(cell.row) << 32 | Int64(cell.column)
        case .level: Int64(cell.column) << 32 | Int64(cell.row)
        }
    }

    /// floor(`position`) kept inside `0..<count` (a NaN, which validated input never holds, goes to 0).
    static func clampedIndex(_ position: Double, count: Int) -> Int {
        guard position >= 0 else { return 0 }
        guard position < Double(count) else { return count - 1 }
        return Int(position)
    }

    /// Latitude of the northern edge of tile row `edge` (row `tiles` is the southern limit).
    private static func tileLatitude(edge: Int, tiles: Double) -> Double {
        atan(sinh(Double.pi * (1 - 2 * Double(edge) / tiles))) * 180 / Double.pi
    }

    /// `50` rather than `50.0` for whole sizes; the shortest round-trip text otherwise.
    private static func shortText(_ metres: Double) -> String {
        metres == metres.rounded() && abs(metres) < 1e15 ? String(Int64(metres)) : metres.description
    }
}
