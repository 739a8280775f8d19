/// Turns input bytes into events and rejections, chunk by chunk, in bounded memory.
///
/// Push-style so one reader serves stdin, files and sockets alike: `feed` each chunk as it arrives
/// (any size, down to one byte: the output is the same), then `finish()` at end of input. Records
/// are emitted as soon as they are complete. Until the format is known (`options.format` nil), up to
/// 4 KiB are held for detection.
///
/// Problems with one record become `.rejected` items and reading goes on; problems with the whole
/// input (a CSV header without required columns, a broken FeatureCollection outside any Feature) are
/// thrown as `ReaderError`, and every later call throws the same error.
public struct EventReader {
    public let options: ReaderOptions
    /// The format in use: the one given in the options, or the detected one once known.
    public private(set) var detectedFormat: InputFormat?
    private var held: [UInt8] = []
    private var csv: CSVReader?
    private var collection: FeatureCollectionReader?
    private var sequence: GeoJSONSeqReader?
    private var failure: ReaderError?
    private var finished = false

    public init(options: ReaderOptions) {
        self.options = options
        if let format = options.format { start(format) }
    }

    public mutating func feed(_ chunk: UnsafeRawBufferPointer, _ sink: (ReadItem) -> Void) throws(ReaderError) {
        if let failure { throw failure }
        precondition(!finished, "EventReader.feed called after finish()")
        do throws(ReaderError) {
            if detectedFormat == nil {
                held.append(contentsOf: chunk)
                guard let format = FormatDetector.detect(held, atEnd: false) else { return }
                start(format)
                let bytes = held
                held = []
                try bytes.withBytes { (bytes) throws(ReaderError) in try dispatch(bytes, sink) }
            } else {
                try dispatch(chunk, sink)
            }
        } catch {
            failure = error
            throw error
        }
    }

    public mutating func feed(_ bytes: [UInt8], _ sink: (ReadItem) -> Void) throws(ReaderError) {
        try bytes.withBytes { (chunk) throws(ReaderError) in try feed(chunk, sink) }
    }

    /// Ends the input: emits or rejects what is still buffered (an unterminated quote, a truncated Feature).
    public mutating func finish(_ sink: (ReadItem) -> Void) throws(ReaderError) {
        if let failure { throw failure }
        guard !finished else { return }
        finished = true
        do throws(ReaderError) {
            if detectedFormat == nil {
                start(FormatDetector.detect(held, atEnd: true) ?? .csv)
                let bytes = held
                held = []
                try bytes.withBytes { (bytes) throws(ReaderError) in try dispatch(bytes, sink) }
            }
            if csv != nil { try csv!.finish(sink) }
            if collection != nil { try collection!.finish(sink) }
            if sequence != nil { sequence!.finish(sink) }
        } catch {
            failure = error
            throw error
        }
    }

    /// Reads a whole in-memory input (tests, small files).
    public static func readAll(_ bytes: [UInt8], options: ReaderOptions) throws(ReaderError) -> [ReadItem] {
        var reader = EventReader(options: options)
        var items: [ReadItem] = []
        try reader.feed(bytes) { items.append($0) }
        try reader.finish { items.append($0) }
        return items
    }

    private mutating func start(_ format: InputFormat) {
        detectedFormat = format
        switch format {
        case .csv: csv = CSVReader(options: options)
        case .geojson: collection = FeatureCollectionReader(options: options)
        case .geojsonseq: sequence = GeoJSONSeqReader(options: options)
        }
    }

    private mutating func dispatch(_ chunk: UnsafeRawBufferPointer, _ sink: (ReadItem) -> Void) throws(ReaderError) {
        if csv != nil { try csv!.feed(chunk, sink) }
        else if collection != nil { try collection!.feed(chunk, sink) }
        else if sequence != nil { sequence!.feed(chunk, sink) }
    }
}
