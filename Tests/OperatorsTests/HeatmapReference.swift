import Foundation
import GeoCore
import Operators
import TestSupport
import Wire
import XCTest

/// One published heatmap count as the tests compare them: window end, cell id, count.
struct HeatmapCount: Hashable, CustomStringConvertible {
    var end: Int64
    var cell: String
    var count: Int

    var description: String { "T=\(end) \(cell) ×\(count)" }
}

/// The brute-force heatmap: cells from the formulas written out plainly, windows by scanning every
/// event for every window end.
struct HeatmapReference {
    var cells: HeatmapSpec.Cells
    var bbox: Rect
    var size: Int64
    var slide: Int64
    var minCount = 1

    /// The cell id and its (major, minor) publishing order, straight from the formulas of the brief.
    func cell(lon: Double, lat: Double) -> (id: String, order: [Int]) {
        switch cells {
        case let .metres(metres):
            let centreLatitude = (bbox.minY + bbox.maxY) / 2
            let rowHeight = metres / 111_320
            let columnWidth = metres / (111_320 * cos(centreLatitude * .pi / 180))
            let row = Int(floor((lat + 90) / rowHeight))
            let column = Int(floor((lon + 180) / columnWidth))
            let name = metres == metres.rounded() ? String(Int(metres)) : String(metres)
            return ("m\(name):\(column):\(row)", [row, column])
        case let .level(zoom):
            let tiles = Double(1 << zoom)
            let clamped = min(max(lat, -85.0511287798), 85.0511287798) * .pi / 180
            let x = min(Int(floor((lon + 180) / 360 * tiles)), (1 << zoom) - 1)
            let y = min(Int(floor((1 - asinh(tan(clamped)) / .pi) / 2 * tiles)), (1 << zoom) - 1)
            return ("\(zoom)/\(x)/\(y)", [x, y])
        }
    }

    /// Every window end `T` in `(after, through]` whose window holds a counted event, with its
    /// counts per cell. An event counts in window `T` when `T − size ≤ t < T` and `T` was still
    /// open when the event was applied (`T > closedWhenApplied`).
    func counts(of events: [(event: PointEvent, closedWhenApplied: Int64)], after: Int64, through: Int64) -> [HeatmapCount] {
        let earliestHeld = after == .min ? Int64.min : after - size
        let eligible = events.filter { $0.event.t >= earliestHeld }
        guard let earliest = eligible.map(\.event.t).min(), let latest = eligible.map(\.event.t).max() else { return [] }
        var end = firstMultiple(ofSlideAbove: max(after, earliest))
        var results: [(order: [Int], count: HeatmapCount)] = []
        while end <= through && end <= latest + size + slide {
            var perCell: [String: (order: [Int], count: Int)] = [:]
            for (event, closed) in eligible where end - size <= event.t && event.t < end && end > closed {
                let (id, order) = cell(lon: event.point.lon, lat: event.point.lat)
                perCell[id, default: (order, 0)].count += 1
            }
            for (id, entry) in perCell where entry.count >= minCount {
                results.append((entry.order, HeatmapCount(end: end, cell: id, count: entry.count)))
            }
            end += slide
        }
        return results.sorted { ($0.count.end, $0.order[0], $0.order[1]) < ($1.count.end, $1.order[0], $1.order[1]) }
            .map(\.count)
    }

    /// The smallest multiple of `slide` strictly above `time`.
    func firstMultiple(ofSlideAbove time: Int64) -> Int64 {
        var multiple = (time / slide) * slide
        while multiple <= time { multiple += slide }
        while multiple - slide > time { multiple -= slide }
        return multiple
    }
}

/// Reads published heatmap objects back, checking each has the published shape.
func publishedCounts(_ outputs: [OperatorOutput], size: Int64, file: StaticString = #filePath, line: UInt = #line) throws -> [HeatmapCount] {
    try outputs.map { output in
        XCTAssertEqual(output.topic, "heatmap", file: file, line: line)
        guard case let .object(object) = try JSONValue(parsing: output.json),
              case let .object(window)? = object["window"],
              case let .integer(start)? = window["start"], case let .integer(end)? = window["end"],
              case let .string(cell)? = object["cell"], case let .integer(count)? = object["count"],
              case .array? = object["center"], case .object? = object["geometry"]
        else {
            XCTFail("not a published heatmap object: \(output.json)", file: file, line: line)
            return HeatmapCount(end: output.t, cell: "?", count: -1)
        }
        XCTAssertEqual(object.members.map(\.key), ["window", "cell", "count", "center", "geometry"], file: file, line: line)
        XCTAssertEqual(end, output.t, file: file, line: line)
        XCTAssertEqual(start, end - size, file: file, line: line)
        return HeatmapCount(end: end, cell: cell, count: Int(count))
    }
}

extension SeededGenerator {
    mutating func int(in range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
    mutating func int64(in range: ClosedRange<Int64>) -> Int64 { Int64.random(in: range, using: &self) }
    mutating func chance(_ probability: Double) -> Bool { nextDouble(in: 0..<1) < probability }
}
