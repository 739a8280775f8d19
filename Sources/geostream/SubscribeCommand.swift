import ArgumentParser
import Foundation
import Runtime
import Transport
import Wire

/// Set by SIGINT/SIGTERM; the receive loop polls in short slices and checks it.
nonisolated(unsafe) private var stopSignalled: sig_atomic_t = 0

/// `geostream subscribe`: SUB to a pipeline's result topics and print each message as one NDJSON line.
struct SubscribeCommand: ParsableCommand {
    static let defaultEndpoint = "tcp://127.0.0.1:5560"

    static let configuration = CommandConfiguration(
        commandName: "subscribe",
        abstract: "Print a pipeline's published results (alerts, clusters, ...) as NDJSON or GeoJSON.",
        discussion: """
            Connects a SUB socket to --connect (default \(defaultEndpoint), the pipeline's output \
            endpoint) and subscribes to each TOPIC (a prefix of the topic frame; none = every topic). \
            Each message is two frames, topic then one JSON object; the object prints as one compact \
            line on stdout, flushed at once. A message that is not two frames, or whose second frame \
            is not a JSON object, is reported on stderr and skipped.

            --geojson prints a GeoJSON Feature instead: a Point from the object's lon/lat, else the \
            geometry in its "footprint" or "hull" member; the other members become the properties. \
            Messages with none of these (stats, rejected, ...) are skipped.

            Stops after --count printed lines, after --timeout without any message, or on SIGINT / \
            SIGTERM, with exit status 0 in each case.

            Examples:
              geostream subscribe alerts
              geostream subscribe clusters --geojson --count 100 --timeout 30s
            """
    )

    @Argument(help: ArgumentHelp("Topic prefixes to receive (default: all).", valueName: "topic"))
    var topics: [String] = []

    @Option(help: ArgumentHelp("The pipeline's PUB endpoint (default \(defaultEndpoint)).", valueName: "endpoint"))
    var connect: String = defaultEndpoint

    @Flag(help: "Print GeoJSON Features (messages without a position or geometry are skipped).")
    var geojson = false

    @Option(help: "Stop after printing this many messages.")
    var count: Int?

    @Option(help: ArgumentHelp("Stop when no message arrives for this long (e.g. 500ms, 30s).", valueName: "duration"))
    var timeout: String?

    func validate() throws {
        if let count, count < 1 { throw ValidationError("--count must be at least 1, got \(count)") }
        if let timeout { _ = try DurationParser.milliseconds(timeout, option: "--timeout") }
        _ = try endpoint()
    }

    func run() throws {
        let idleLimit = try timeout.map { try DurationParser.milliseconds($0, option: "--timeout") }
        signal(SIGINT) { _ in stopSignalled = 1 }
        signal(SIGTERM) { _ in stopSignalled = 1 }
        do {
            let context = try MessagingContext()
            defer { context.terminate() }
            let socket = try Socket(context, .subscribe)
            defer { socket.close() }
            for topic in topics.isEmpty ? [""] : topics { try socket.subscribe(topic) }
            try socket.connect(try endpoint())
            var poller = Poller()
            poller.add(socket)
            var printed = 0
            var idleSince = Date()
            while stopSignalled == 0 {
                if let count, printed >= count { break }
                if let idleLimit, Date().timeIntervalSince(idleSince) * 1_000 >= Double(idleLimit) {
                    note("subscribe: no message for \(timeout ?? ""), stopping")
                    break
                }
                guard !(try poller.poll(timeoutMilliseconds: 100)).isEmpty else { continue }
                while let message = try socket.receiveMultipart(blocking: false) {
                    idleSince = Date()
                    if let line = render(message) {
                        FileHandle.standardOutput.write(Data((line + "\n").utf8))
                        printed += 1
                        if let count, printed >= count { break }
                    }
                }
            }
        } catch let error as TransportError where error.isInterrupted || error.isTerminated {
            // A signal during a blocking call: the clean stop asked for.
        } catch let error as TransportError {
            note("geostream subscribe: \(error)")
            throw ExitCode(1)
        }
    }

    /// The line to print for a message, or nil (after a note on stderr when it is malformed).
    private func render(_ frames: [Message]) -> String? {
        guard frames.count == 2 else {
            note("subscribe: skipped a message of \(frames.count) frame(s); expected topic + JSON")
            return nil
        }
        let topic = frames[0].string
        guard case let .object(object)? = try? frames[1].withUnsafeBytes({ try JSONValue(parsing: $0) }) else {
            note("subscribe: skipped a '\(topic)' message whose body is not a JSON object")
            return nil
        }
        guard geojson else { return JSONWriter.render(.object(object)) }
        var properties = object
        let geometry: JSONValue
        if case let .double(lon)? = number(object["lon"]), case let .double(lat)? = number(object["lat"]) {
            geometry = .object(["type": .string("Point"), "coordinates": .array([.double(lon), .double(lat)])])
            properties["lon"] = nil
            properties["lat"] = nil
        } else if case .object? = object["footprint"] {
            geometry = object["footprint"]!
            properties["footprint"] = nil
        } else if case .object? = object["hull"] {
            geometry = object["hull"]!
            properties["hull"] = nil
        } else {
            return nil
        }
        return JSONWriter.render(.object(["type": .string("Feature"), "geometry": geometry, "properties": .object(properties)]))
    }

    /// Integers and doubles both as `.double`, anything else nil.
    private func number(_ value: JSONValue?) -> JSONValue? {
        switch value {
        case let .integer(number)?: .double(Double(number))
        case let .double(number)?: .double(number)
        default: nil
        }
    }

    private func endpoint() throws -> Endpoint {
        do {
            return try Endpoint(parsing: connect)
        } catch {
            throw ValidationError("--connect: \(error)")
        }
    }
}
