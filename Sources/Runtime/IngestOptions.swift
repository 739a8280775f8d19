public import Wire

/// How `IngestSource` batches and where rejections go; the reader's own options ride along.
public struct IngestOptions: Sendable {
    /// Default PUSH endpoint of a pipeline's source stage (`geostream ingest --connect`).
    public static let defaultEndpoint = "tcp://127.0.0.1:5550"

    public var reader: ReaderOptions
    /// A batch closes when it holds this many events (at least 1).
    public var batchSize: Int
    /// A batch also closes this long after its first event arrived, so a slow input still flows.
    ///
    /// Wall-clock time, on purpose: this is transport batching, not event time.
    public var lingerMilliseconds: Int
    /// LZ4 payloads (a payload LZ4 cannot shrink is still sent raw).
    public var compression: Bool
    /// Stop at the first rejection (`IngestError.strictRejection`) instead of counting and going on.
    public var strict: Bool
    /// Bytes per read(2) from the input.
    public var readSize: Int
    /// Partition written in every frame's header.
    public var partition: UInt32

    public init(
        reader: ReaderOptions = ReaderOptions(),
        batchSize: Int = 1_000,
        lingerMilliseconds: Int = 5,
        compression: Bool = true,
        strict: Bool = false,
        readSize: Int = 1 << 20,
        partition: UInt32 = 0
    ) {
        precondition(batchSize >= 1, "batchSize must be at least 1")
        self.reader = reader
        self.batchSize = batchSize
        self.lingerMilliseconds = lingerMilliseconds
        self.compression = compression
        self.strict = strict
        self.readSize = readSize
        self.partition = partition
    }
}

/// What one ingest run did, for the summary line and the tests.
public struct IngestCounters: Hashable, Sendable {
    public var events = 0
    public var points = 0
    public var polygons = 0
    public var rejected = 0
    /// Frames sent, the final `end` frame included.
    public var frames = 0
    /// Input bytes read.
    public var bytesRead = 0
    /// Frame bytes had every payload gone uncompressed (header + raw payload length).
    public var bytesRaw = 0
    /// Frame bytes actually sent.
    public var bytesSent = 0
    /// Wall-clock time since the run started (monotonic clock).
    public var elapsedSeconds = 0.0

    public init() {}

    /// Events per second of wall-clock time; 0 before any time has passed.
    public var eventsPerSecond: Double {
        elapsedSeconds > 0 ? Double(events) / elapsedSeconds : 0
    }

    /// bytesRaw / bytesSent; 1 when nothing was sent.
    public var compressionRatio: Double {
        bytesSent == 0 ? 1 : Double(bytesRaw) / Double(bytesSent)
    }
}

/// Why an ingest run stopped early; the CLI maps `code` to an exit status.
public struct IngestError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// `strict` was set and a record was rejected (exit 65).
        case strictRejection
        /// The input as a whole is unreadable: a CSV header without required columns, a broken
        /// FeatureCollection (exit 65).
        case badInput
        /// read(2), write(2) or the socket failed (exit 1).
        case io
    }

    public var code: Code
    public var message: String
    /// The counters up to the failure, so the CLI can still print a summary.
    public var counters: IngestCounters

    public init(_ code: Code, _ message: String, counters: IngestCounters) {
        self.code = code
        self.message = message
        self.counters = counters
    }

    public var description: String { message }
}
