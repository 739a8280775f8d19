import Foundation
public import Transport
import Wire

extension PipelineSource {
    /// Reads events that external producers PUSH to `endpoint` (`input.endpoint`): geostream frames
    /// (`geostream ingest --connect`) or text frames holding GeoJSON Features, one per line.
    ///
    /// The stream ends at the first `end` frame (a producer finished), or on SIGINT/SIGTERM. Frames
    /// that fail to decode are published on `rejected` (reason names the frame error) and reading
    /// goes on. Lateness and routing are as for a file: in arrival order.
    @discardableResult
    public func run(endpoint: String, context: MessagingContext) throws -> SourceCounters {
        let receiver = try FrameReceiver(context, bindingTo: endpoint)
        defer { receiver.close() }
        lastStats = monotonicNanoseconds()
        var textOptions = ReaderOptions(source: endpoint)
        textOptions.format = .geojsonseq
        var frameNumber = 0
        // One decoder for the run: it carries the id cache that makes repeated ids cheap.
        let decoder = FrameDecoder()
        let sink: (ReadItem) -> Void = { [unowned self] item in self.accept(item) }
        receiving: while strictStop == nil && failure == nil && !StopSignal.isRequested {
            let timeout = hasPending
                ? max(0, options.lingerMilliseconds - Int((monotonicNanoseconds() &- batchStarted) / 1_000_000))
                : Int(options.statsInterval * 1_000)
            let message: Message?
            do {
                try receiver.socket.setReceiveTimeout(milliseconds: Int32(timeout))
                message = try receiver.socket.receive()
            } catch {
                if error.isInterrupted { continue receiving }
                throw RuntimeError("cannot receive on \(endpoint) (input.endpoint): \(error)")
            }
            reportStatsIfDue()
            guard let message else {
                if hasPending { flushAll() }
                continue
            }
            frameNumber += 1
            counters.bytesRead += message.count
            if message.withUnsafeBytes({ $0.first == UInt8(ascii: "{") }) {
                // A text frame: GeoJSON Features, one per line.
                var reader = EventReader(options: textOptions)
                do {
                    try message.withUnsafeBytes { raw in try Result { () throws(ReaderError) in try reader.feed(raw, sink); try reader.finish(sink) }.get() }
                } catch {
                    accept(.rejected(Rejection(source: endpoint, offset: frameNumber, reason: "text frame \(frameNumber): \(error)", raw: message.bytes.prefix(200))))
                }
                continue
            }
            let frame: Frame
            do {
                frame = try message.withUnsafeBytes { raw in try Result { () throws(FrameError) in try decoder.decode(raw) }.get() }
            } catch {
                accept(.rejected(Rejection(source: endpoint, offset: frameNumber, reason: "frame \(frameNumber): \(error)", raw: [UInt8]())))
                continue
            }
            switch frame.kind {
            case .data:
                switch frame.payload {
                case let .points(events): for event in events { accept(.event(.point(event))) }
                case let .polygons(events): for event in events { accept(.event(.polygon(event))) }
                case .results, .none:
                    accept(.rejected(Rejection(source: endpoint, offset: frameNumber, reason: "frame \(frameNumber) holds no events (payload \(frame.payload.type))", raw: [UInt8]())))
                }
            case .end:
                break receiving
            case .watermark, .barrier:
                continue
            }
        }
        if let failure { throw failure }
        try endStream()
        if let strictStop { throw StrictRejectionError(rejection: strictStop, counters: counters) }
        return counters
    }
}
