import Foundation
import GeoCore
import Runtime
import TestSupport
import Transport
import Wire
import XCTest

/// A seeded stream for live-query tests, the window it leaves, and a brute-force answer to any
/// query over that window, written plainly (a scan of every event) so it checks the index, the
/// scatter-gather and the merge together.
struct QueryScenario {
    static let bbox = Rect(minX: -74.10, minY: 40.60, maxX: -73.80, maxY: 40.90)
    static let window = WindowSpec(size: 20_000, slide: 4_000, lateness: 1_500)
    static let start: Int64 = 1_700_000_000_000

    /// One GeoJSON Feature per line, in arrival order.
    var lines: [String] = []
    /// Events the source accepts (not late), fences excluded: what the workers index.
    var indexed: [(id: String, t: Int64, geometry: Geometry, props: JSONObject)] = []
    /// Window end every worker reaches after the whole stream (watermark rounded down to a slide).
    var expectedWindowEnd: Int64 = 0

    init(seed: UInt64, count: Int) {
        var random = SeededGenerator(seed: seed)
        var t = Self.start
        var maxTime = Int64.min
        let kinds = ["truck", "car", "bus"]
        for index in 0..<count {
            t += Int64(random.next() % 40)
            // Mostly within lateness; every 211th event is far behind, hence late and not indexed.
            let eventTime = index % 211 == 100 ? t - 10_000 : t - Int64(random.next() % 1_200)
            let kind = kinds[Int(random.next() % 3)]
            let id = "v\(random.next() % 400)"
            let lon = Self.bbox.minX + random.nextDouble(in: 0..<(Self.bbox.maxX - Self.bbox.minX))
            let lat = Self.bbox.minY + random.nextDouble(in: 0..<(Self.bbox.maxY - Self.bbox.minY))
            let props: JSONObject = ["type": .string(kind), "n": .integer(Int64(index))]
            var geometry = Geometry.point(Point(lon: lon, lat: lat))
            var role = "object"
            if index % 37 == 5 || index % 97 == 11 {
                // Small squares (some fences, which must stay out of the window index).
                let side = 0.002 + random.nextDouble(in: 0..<0.01)
                let ring = [Point(lon: lon, lat: lat), Point(lon: lon + side, lat: lat), Point(lon: lon + side, lat: lat + side),
                            Point(lon: lon, lat: lat + side), Point(lon: lon, lat: lat)]
                geometry = .polygon(try! Polygon(exterior: ring))
                if index % 97 == 11 { role = "fence" }
            }
            var line = "{\"type\":\"Feature\",\"id\":"
            JSONWriter.appendString(id, to: &line)
            line += ",\"geometry\":" + JSONWriter.renderGeoJSON(geometry) + ",\"properties\":{\"t\":\(eventTime)"
            if case .polygon = geometry { line += ",\"role\":\"\(role)\"" }
            line += ",\"type\":\"\(kind)\",\"n\":\(index)}}"
            lines.append(line)
            let watermark = maxTime == .min ? Int64.min : maxTime - Self.window.lateness
            if eventTime < watermark { continue }
            maxTime = max(maxTime, eventTime)
            if role == "object" { indexed.append((id, eventTime, geometry, props)) }
        }
        let watermark = maxTime - Self.window.lateness
        expectedWindowEnd = watermark / Self.window.slide * Self.window.slide   // times are positive: / floors
    }

    /// The reference answer: every event of the window ending at `expectedWindowEnd`, tested one by one.
    func bruteForce(_ request: QueryRequest) -> [String] {
        let lower = expectedWindowEnd - Self.window.size
        var found: [(distance: Double, id: String, t: Int64, line: String)] = []
        for event in indexed where event.t >= lower && event.t < expectedWindowEnd {
            guard request.filter.pairs.allSatisfy({ pair in
                if case let .string(text)? = event.props[pair.key] { return text == pair.value }
                if let value = event.props[pair.key] { return JSONWriter.render(value) == pair.value }
                return false
            }) else { continue }
            var distance: Double?
            switch request.shape {
            case let .within(region):
                guard event.geometry.isWithin(region) else { continue }
            case let .intersects(rect):
                guard event.geometry.intersects(rect) else { continue }
            case let .radius(center, metres):
                let metresAway = Self.metres(center, event.geometry)
                guard metresAway <= metres else { continue }
                distance = metresAway
            case let .nearest(center, _):
                distance = Self.metres(center, event.geometry)
            }
            found.append((distance ?? 0, event.id, event.t, Self.render(event, distance: distance)))
        }
        found.sort { ($0.distance, $0.id, $0.t, $0.line) < ($1.distance, $1.id, $1.t, $1.line) }
        if case let .nearest(_, k) = request.shape { found = Array(found.prefix(k)) }
        return found.map(\.line)
    }

    static func metres(_ center: Point, _ geometry: Geometry) -> Double {
        if case let .point(point) = geometry { return Geodesy.distance(center, point) }
        return Geodesy.distance(from: center, to: geometry)
    }

    static func render(_ event: (id: String, t: Int64, geometry: Geometry, props: JSONObject), distance: Double?) -> String {
        var line = "{\"id\":"
        JSONWriter.appendString(event.id, to: &line)
        line += ",\"t\":\(event.t)"
        if case let .point(point) = event.geometry {
            line += ",\"lon\":"
            JSONWriter.appendDouble(point.lon, to: &line)
            line += ",\"lat\":"
            JSONWriter.appendDouble(point.lat, to: &line)
        } else {
            line += ",\"geometry\":" + JSONWriter.renderGeoJSON(event.geometry)
        }
        line += ",\"props\":" + JSONWriter.render(.object(event.props))
        if let distance {
            line += ",\"distance\":"
            JSONWriter.appendDouble(distance, to: &line)
        }
        return line + "}"
    }

    /// Seeded queries of every verb, with and without `--where`.
    static func requests(seed: UInt64) -> [QueryRequest] {
        var random = SeededGenerator(seed: seed)
        func point() -> Point {
            Point(lon: bbox.minX + random.nextDouble(in: 0..<(bbox.maxX - bbox.minX)), lat: bbox.minY + random.nextDouble(in: 0..<(bbox.maxY - bbox.minY)))
        }
        var requests: [QueryRequest] = []
        for round in 0..<4 {
            let filter = round % 2 == 0 ? QueryFilter() : QueryFilter([("type", "truck")])
            let corner = point()
            let width = 0.02 + random.nextDouble(in: 0..<0.08), height = 0.02 + random.nextDouble(in: 0..<0.08)
            requests.append(QueryRequest(.intersects(Rect(minX: corner.lon, minY: corner.lat, maxX: corner.lon + width, maxY: corner.lat + height)), filter: filter))
            let ring = [corner, Point(lon: corner.lon + width, lat: corner.lat), Point(lon: corner.lon + width / 2, lat: corner.lat + height), corner]
            requests.append(QueryRequest(.within(.polygon(try! Polygon(exterior: ring))), filter: filter))
            requests.append(QueryRequest(.radius(point(), metres: 500 + random.nextDouble(in: 0..<2_500)), filter: filter))
            requests.append(QueryRequest(.nearest(point(), k: [1, 5, 40][round % 3]), filter: filter))
        }
        requests.append(QueryRequest(.nearest(point(), k: 3), filter: QueryFilter([("n", "12")])))
        requests.append(QueryRequest(.intersects(bbox)))
        return requests
    }
}

/// Test plumbing: free ports, pushing a scenario as text frames, waiting for the window.
enum QueryTestDriver {
    /// A loopback port free right now (bound by a throwaway ZeroMQ socket in its own context, which
    /// is terminated so the port is released before this returns).
    static func freePort() throws -> UInt16 {
        let context = try MessagingContext()
        defer { context.terminate() }
        let socket = try Socket(context, .pull)
        defer { socket.close() }
        guard case let .tcp(_, port?) = try socket.bind(.tcp(host: "127.0.0.1", port: nil)) else { throw RuntimeError("no port") }
        return port
    }

    /// PUSHes the lines as text frames of `perFrame` Features, then (when `end`) the `end` frame.
    static func push(_ lines: [String], to endpoint: String, context: MessagingContext, perFrame: Int = 250, end: Bool) throws {
        let sender = try FrameSender(context, connectingTo: endpoint, lingerMilliseconds: 10_000)
        defer { sender.close() }
        var start = 0
        while start < lines.count {
            let stop = min(start + perFrame, lines.count)
            try sender.socket.send(lines[start..<stop].joined(separator: "\n") + "\n")
            start = stop
        }
        if end { try sender.send(.end(partition: 0)) }
    }

    /// Asks until every worker's window has reached `windowEnd` (at most `seconds`), returning the reply.
    static func waitForWindow(_ windowEnd: Int64, workers: Int, endpoint: String, context: MessagingContext,
                              seconds: Double = 30) throws -> QueryReply {
        let deadline = Date().addingTimeInterval(seconds)
        var last = "no reply yet"
        while Date() < deadline {
            do {
                let reply = try QueryClient.ask(QueryRequest(.nearest(Point(lon: 0, lat: 0), k: 1), timeoutMilliseconds: 1_000),
                                                endpoint: endpoint, context: context)
                if reply.workers.count == workers && reply.workers.allSatisfy({ $0.windowEnd == windowEnd }) { return reply }
                last = "windows \(reply.workers.map { "\($0.worker)=\($0.windowEnd.map(String.init) ?? "none")" })"
            } catch {
                last = "\(error)"
            }
            usleep(50_000)
        }
        throw RuntimeError("workers did not reach window end \(windowEnd) in \(seconds) s: \(last)")
    }
}
