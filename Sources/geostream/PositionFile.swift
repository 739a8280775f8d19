import Foundation
import GeoCore
import Wire

/// One position `geostream index` works on.
struct PositionRecord {
    var id: String
    var time: Int64
    var point: Point
}

/// Loads a whole file of events for `geostream index` through the Wire readers (CSV, GeoJSON,
/// GeoJSONSeq, detected or chosen), keeping the point events.
///
/// `index` answers questions about positions, so polygon events are counted and left out (fences and
/// areas are what range alerts and dissolve work on). Bad records come back as rejections.
enum PositionFile {
    struct LoadError: Error, CustomStringConvertible {
        var description: String
    }

    struct Contents {
        var records: [PositionRecord] = []
        var rejected: [Rejection] = []
        var polygonsSkipped = 0
    }

    static func load(path: String, options: ReaderOptions) throws -> Contents {
        let bytes: [UInt8]
        do {
            bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw LoadError(description: "cannot read \(path): \(error.localizedDescription)")
        }
        let items: [ReadItem]
        do {
            items = try EventReader.readAll(bytes, options: options)
        } catch {
            throw LoadError(description: "\(path): \(error.message)")
        }
        var contents = Contents()
        for item in items {
            switch item {
            case let .event(.point(event)):
                contents.records.append(PositionRecord(id: event.id, time: event.t, point: event.point))
            case .event(.polygon):
                contents.polygonsSkipped += 1
            case let .rejected(rejection):
                contents.rejected.append(rejection)
            }
        }
        return contents
    }
}
