import GeoCore
public import Wire

/// The publisher's state of a nearby stage: which pairs are near, and the latest position of
/// every object in a pair (to report the distance when the pair ends).
///
/// Positions are exact: an object with a pair has had every event since the pair began observed
/// (an event is only silent when the object has no pair before nor after it), and the position
/// it had when the pair began came in the observation that began it (as a partner's position).
struct NearbyPairs: Sendable {
    private(set) var partners: [String: Set<String>] = [:]
    private var positions: [String: Point] = [:]

    var pairCount: Int { partners.values.reduce(0) { $0 + $1.count } / 2 }

    /// Applies one observation, appending the alerts it causes (ordered by the other object's id).
    mutating func apply(_ observation: NearbyObservation, into alerts: inout [OperatorOutput]) {
        let object = observation.object
        let before = partners[object] ?? []
        switch observation.kind {
        case let .moved(now):
            positions[object] = observation.point
            var nowIDs = Set<String>()
            nowIDs.reserveCapacity(now.count)
            for partner in now {
                positions[partner.id] = partner.point
                nowIDs.insert(partner.id)
            }
            // Both lists are small; merge them in id order.
            var changes: [(other: String, near: Bool)] = []
            for partner in now where !before.contains(partner.id) { changes.append((partner.id, true)) }
            for other in before where !nowIDs.contains(other) { changes.append((other, false)) }
            changes.sort { $0.other < $1.other }
            for change in changes {
                let otherPoint = positions[change.other]!
                alerts.append(Self.alert(change.near ? "nearby" : "faraway", observation, other: change.other, otherPoint: otherPoint))
                if change.near { link(object, change.other) } else { unlink(object, change.other) }
            }
            forgetPositionIfUnpaired(object)
            for partner in now { forgetPositionIfUnpaired(partner.id) }
            for change in changes where !change.near { forgetPositionIfUnpaired(change.other) }
        case .forgotten:
            for other in before.sorted() {
                alerts.append(Self.alert("faraway", observation, other: other, otherPoint: positions[other]!))
                unlink(object, other)
                forgetPositionIfUnpaired(other)
            }
            positions[object] = nil
        }
    }

    private mutating func link(_ a: String, _ b: String) {
        partners[a, default: []].insert(b)
        partners[b, default: []].insert(a)
    }

    private mutating func unlink(_ a: String, _ b: String) {
        partners[a]?.remove(b)
        if partners[a]?.isEmpty == true { partners[a] = nil }
        partners[b]?.remove(a)
        if partners[b]?.isEmpty == true { partners[b] = nil }
    }

    private mutating func forgetPositionIfUnpaired(_ id: String) {
        if partners[id] == nil { positions[id] = nil }
    }

    /// `{"kind":…,"object":…,"other":…,"lon":…,"lat":…,"props":{…},"distance":…}`: the observed
    /// object's position and props, the haversine distance in metres between the two positions.
    private static func alert(_ kind: StaticString, _ observation: NearbyObservation, other: String, otherPoint: Point) -> OperatorOutput {
        var json = JSONText(reservingCapacity: 160)
        json.appendRaw("{\"kind\":\"")
        json.appendRaw(kind)
        json.appendRaw("\",\"object\":")
        json.appendString(observation.object)
        json.appendRaw(",\"other\":")
        json.appendString(other)
        json.appendRaw(",\"lon\":")
        json.appendDouble(observation.point.lon)
        json.appendRaw(",\"lat\":")
        json.appendDouble(observation.point.lat)
        json.appendRaw(",\"props\":")
        json.appendObject(observation.props)
        json.appendRaw(",\"distance\":")
        json.appendDouble(Geodesy.distance(observation.point, otherPoint))
        json.appendRaw("}")
        return OperatorOutput(topic: NearbyOperator.topic, t: observation.t, json: json.text)
    }
}

extension NearbyOperator {
    /// Turns the observations of one release (from every worker, in any order) into alerts, in the
    /// order the observations' events were processed (`NearbyObservation.applyOrder`), so the
    /// alerts and their order do not depend on the worker count. Anything that is not an
    /// observation (a worker's `stats`, or a result that cannot be read) passes through unchanged,
    /// after the alerts of its time.
    public mutating func combine(_ partials: [OperatorOutput]) -> [OperatorOutput] {
        var observations: [NearbyObservation] = []
        observations.reserveCapacity(partials.count)
        var unreadable: [OperatorOutput] = []
        for partial in partials {
            guard partial.topic == Self.topic else {
                unreadable.append(partial)  // a worker's `stats`: not ours to change
                continue
            }
            do {
                observations.append(try NearbyObservation(partial))
            } catch {
                unreadable.append(partial)
            }
        }
        observations.sort(by: NearbyObservation.applyOrder)
        var alerts: [OperatorOutput] = []
        for observation in observations { pairs.apply(observation, into: &alerts) }
        if !unreadable.isEmpty {
            unreadable.sort { ($0.t, $0.topic, $0.json) < ($1.t, $1.topic, $1.json) }
            alerts += unreadable
            // Stable by time: alerts keep their order, a passed-through result follows its time's alerts.
            alerts = alerts.enumerated().sorted { ($0.element.t, $0.offset) < ($1.element.t, $1.offset) }.map(\.element)
        }
        return alerts
    }

    /// Pairs currently near, as the publisher's instance knows them.
    public var nearPairCount: Int { pairs.pairCount }
}
