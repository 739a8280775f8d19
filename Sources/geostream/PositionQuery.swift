import GeoCore
import SpatialIndex

/// A query `geostream index` answers, in geographic terms (lon/lat degrees, metres).
enum PositionQuery {
    case nearest(Point, k: Int)
    case box(Rect)
    case radius(Point, metres: Double)

    var name: String {
        switch self {
        case .nearest: "nearest"
        case .box: "bbox"
        case .radius: "radius"
        }
    }
}

struct PositionHit {
    var recordIndex: Int
    var distance: Double?
}

/// What the CLI needs from either index: the R-tree over a whole file or the sliding window.
protocol PositionIndex {
    func answer(_ query: PositionQuery) -> [PositionHit]
}

extension RTree: PositionIndex where Payload == Int {
    func answer(_ query: PositionQuery) -> [PositionHit] {
        switch query {
        case let .nearest(center, k):
            return nearest(
                to: center, k: k,
                lowerBound: { Geodesy.minimumDistance(from: center, to: $0) },
                distance: { rect, _ in Geodesy.distance(center, rect.center) }
            ).map { PositionHit(recordIndex: $0.payload, distance: $0.distance) }
        case let .box(rect):
            return search(intersecting: rect).sorted().map { PositionHit(recordIndex: $0, distance: nil) }
        case let .radius(center, metres):
            var hits: [PositionHit] = []
            forEach(intersecting: Geodesy.boundingRect(around: center, radius: metres)) { rect, index in
                let distance = Geodesy.distance(center, rect.center)
                if distance <= metres { hits.append(PositionHit(recordIndex: index, distance: distance)) }
                return true
            }
            return hits.sorted { ($0.distance!, $0.recordIndex) < ($1.distance!, $1.recordIndex) }
        }
    }
}

extension SlidingWindowIndex: PositionIndex where Payload == Int {
    func answer(_ query: PositionQuery) -> [PositionHit] {
        switch query {
        case let .nearest(center, k):
            return nearest(to: center, k: k).map { PositionHit(recordIndex: $0.entry.payload, distance: $0.distance) }
        case let .box(rect):
            return search(intersecting: rect).map(\.payload).sorted().map { PositionHit(recordIndex: $0, distance: nil) }
        case let .radius(center, metres):
            return search(radius: metres, around: center)
                .map { entry -> PositionHit in
                    guard case let .point(point) = entry.geometry else { return PositionHit(recordIndex: entry.payload, distance: nil) }
                    return PositionHit(recordIndex: entry.payload, distance: Geodesy.distance(center, point))
                }
                .sorted { ($0.distance ?? 0, $0.recordIndex) < ($1.distance ?? 0, $1.recordIndex) }
        }
    }
}
