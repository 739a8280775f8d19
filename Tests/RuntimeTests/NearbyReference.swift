import GeoCore
import Operators
import Runtime
import Wire

/// The nearby semantics computed the plain way, for property tests: one global pass over every
/// event in processing order (time, then object id, then input order), the latest position per
/// object, and after every event every pair with the mover recomputed from scratch; objects are
/// forgotten `forgetAfter` ms after their last event, before any event at that time.
enum NearbyReference {
    struct Alert: Hashable, CustomStringConvertible {
        var t: Int64
        var json: String
        var description: String { "\(t) \(json)" }
    }

    private struct Latest {
        var event: PointEvent
        var forgetAt: Int64
    }

    /// `events`: the accepted (non-late) events in input order.
    static func alerts(_ events: [PointEvent], spec: NearbySpec, forgetAfter: Int64) -> [Alert] {
        // Processing order; among one object's events at one time only the last in input order counts.
        let ordered = events.enumerated()
            .filter { spec.filter.matches($0.element.props) }
            .sorted { ($0.element.t, $0.element.id, $0.offset) < ($1.element.t, $1.element.id, $1.offset) }
            .map(\.element)
        var effective: [PointEvent] = []
        for (index, event) in ordered.enumerated() {
            if index + 1 < ordered.count, ordered[index + 1].t == event.t, ordered[index + 1].id == event.id { continue }
            effective.append(event)
        }

        var latest: [String: Latest] = [:]
        var near = Set<[String]>()  // sorted id pairs
        var alerts: [Alert] = []

        func pairKey(_ a: String, _ b: String) -> [String] { a < b ? [a, b] : [b, a] }

        func forget(upTo time: Int64) {
            let due = latest.values.filter { $0.forgetAt <= time }.sorted { ($0.forgetAt, $0.event.id) < ($1.forgetAt, $1.event.id) }
            for gone in due {
                let id = gone.event.id
                latest[id] = nil
                for other in latest.keys.sorted() where near.contains(pairKey(id, other)) {
                    near.remove(pairKey(id, other))
                    alerts.append(alert("faraway", t: gone.forgetAt, mover: gone.event, other: latest[other]!.event))
                }
            }
        }

        for event in effective {
            forget(upTo: event.t)
            latest[event.id] = Latest(event: event, forgetAt: event.t + forgetAfter)
            for other in latest.keys.sorted() where other != event.id {
                let otherEvent = latest[other]!.event
                let isNear = Geodesy.distance(event.point, otherEvent.point) <= spec.distance
                let wasNear = near.contains(pairKey(event.id, other))
                if isNear && !wasNear {
                    near.insert(pairKey(event.id, other))
                    alerts.append(alert("nearby", t: event.t, mover: event, other: otherEvent))
                } else if !isNear && wasNear {
                    near.remove(pairKey(event.id, other))
                    alerts.append(alert("faraway", t: event.t, mover: event, other: otherEvent))
                }
            }
        }
        forget(upTo: .max)
        return alerts
    }

    private static func alert(_ kind: String, t: Int64, mover: PointEvent, other: PointEvent) -> Alert {
        var json = "{\"kind\":\"\(kind)\",\"object\":"
        JSONWriter.appendString(mover.id, to: &json)
        json += ",\"other\":"
        JSONWriter.appendString(other.id, to: &json)
        json += ",\"lon\":"
        JSONWriter.appendDouble(mover.point.lon, to: &json)
        json += ",\"lat\":"
        JSONWriter.appendDouble(mover.point.lat, to: &json)
        json += ",\"props\":"
        JSONWriter.append(.object(mover.props), to: &json)
        json += ",\"distance\":"
        JSONWriter.appendDouble(Geodesy.distance(mover.point, other.point), to: &json)
        json += "}"
        return Alert(t: t, json: json)
    }
}
