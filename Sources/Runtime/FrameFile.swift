import Foundation

/// A problem reading or writing a frame file (see docs/cli.md, "Frame files").
public struct FrameFileError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Hashable, Sendable {
        /// The file ends inside a length prefix or a frame.
        case truncated
        /// A length prefix larger than the limit: the file is corrupt (or not a frame file).
        case oversized
        /// read(2)/write(2) failed.
        case io
    }

    public var code: Code
    public var message: String
    /// Byte offset in the file of the record concerned.
    public var offset: Int

    public init(_ code: Code, _ message: String, offset: Int) {
        self.code = code
        self.message = message
        self.offset = offset
    }

    public var description: String { "frame file \(code.rawValue) at byte \(offset): \(message)" }
}

/// Appends frames to a file as records of a u32 little-endian length followed by the frame bytes.
///
/// The length prefix is what lets `inspect` step over a frame whose bytes are corrupt and go on
/// with the next one. Writes go straight to the descriptor (no buffering beyond the kernel's).
/// - Warning: Not thread-safe.
public final class FrameFileWriter {
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    public private(set) var bytesWritten = 0
    private var scratch: [UInt8] = []

    /// Creates (or truncates) `path`.
    public convenience init(path: String) throws(FrameFileError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw FrameFileError(.io, "cannot create \(path): \(String(cString: strerror(errno)))", offset: 0)
        }
        self.init(descriptor: descriptor, owning: true)
    }

    public init(descriptor: Int32, owning: Bool) {
        self.descriptor = descriptor
        self.ownsDescriptor = owning
    }

    deinit { if ownsDescriptor { close(descriptor) } }

    public func append(_ frame: UnsafeRawBufferPointer) throws(FrameFileError) {
        scratch.removeAll(keepingCapacity: true)
        withUnsafeBytes(of: UInt32(frame.count).littleEndian) { scratch.append(contentsOf: $0) }
        scratch.append(contentsOf: frame)
        let offset = bytesWritten
        let ok = scratch.withUnsafeBytes { writeFully(descriptor, $0) }
        guard ok else { throw FrameFileError(.io, "write failed: \(String(cString: strerror(errno)))", offset: offset) }
        bytesWritten += scratch.count
    }

    public func append(_ frame: [UInt8]) throws(FrameFileError) {
        try frame.withUnsafeBytes { raw in
            Result { () throws(FrameFileError) in try append(raw) }
        }.get()
    }
}

/// One record of a frame file: its position and the frame bytes (not yet decoded).
public struct FrameFileRecord: Sendable {
    /// 0-based position of the frame in the file.
    public var index: Int
    /// Byte offset of the record's length prefix.
    public var offset: Int
    public var bytes: [UInt8]
}

/// Reads a frame file record by record from a descriptor (a file or stdin), in bounded memory.
///
/// A length over `maxFrameBytes` or a file ending mid-record throws; the reader cannot find the
/// next record after that, so every later call returns nil.
/// - Warning: Not thread-safe.
public final class FrameFileReader {
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    private let maxFrameBytes: Int
    private var buffer: [UInt8] = []
    private var start = 0
    private var atEnd = false
    private var failed = false
    private var nextIndex = 0
    private var nextOffset = 0

    public convenience init(path: String, maxFrameBytes: Int = (64 << 20) + 36) throws(FrameFileError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw FrameFileError(.io, "cannot read \(path): \(String(cString: strerror(errno)))", offset: 0)
        }
        self.init(descriptor: descriptor, owning: true, maxFrameBytes: maxFrameBytes)
    }

    public init(descriptor: Int32, owning: Bool, maxFrameBytes: Int = (64 << 20) + 36) {
        self.descriptor = descriptor
        self.ownsDescriptor = owning
        self.maxFrameBytes = maxFrameBytes
    }

    deinit { if ownsDescriptor { close(descriptor) } }

    /// The next record, or nil at the clean end of the file.
    public func next() throws(FrameFileError) -> FrameFileRecord? {
        guard !failed else { return nil }
        do throws(FrameFileError) {
            guard try fill(4) else {
                if buffer.count - start == 0 { return nil }
                throw FrameFileError(.truncated, "the file ends inside a length prefix", offset: nextOffset)
            }
            var length = 0
            for k in 0..<4 { length |= Int(buffer[start + k]) << (8 * k) }
            guard length <= maxFrameBytes else {
                throw FrameFileError(.oversized, "length prefix \(length) exceeds the \(maxFrameBytes)-byte limit", offset: nextOffset)
            }
            guard try fill(4 + length) else {
                throw FrameFileError(.truncated, "the file ends inside frame \(nextIndex) (\(length) bytes announced, \(buffer.count - start - 4) present)", offset: nextOffset)
            }
            let record = FrameFileRecord(index: nextIndex, offset: nextOffset, bytes: Array(buffer[(start + 4)..<(start + 4 + length)]))
            start += 4 + length
            nextIndex += 1
            nextOffset += 4 + length
            return record
        } catch {
            failed = true
            throw error
        }
    }

    /// Makes at least `count` unread bytes available; false if the input ends first.
    private func fill(_ count: Int) throws(FrameFileError) -> Bool {
        if buffer.count - start >= count { return true }
        if start > 0 {
            buffer.removeSubrange(0..<start)
            start = 0
        }
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while buffer.count < count && !atEnd {
            let got = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if got < 0 {
                if errno == EINTR { continue }
                throw FrameFileError(.io, "read failed: \(String(cString: strerror(errno)))", offset: nextOffset)
            }
            if got == 0 { atEnd = true } else { buffer.append(contentsOf: chunk[0..<got]) }
        }
        return buffer.count >= count
    }
}

/// write(2) until every byte is out, retrying on EINTR; false on any other error (errno set).
func writeFully(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
    var done = 0
    while done < bytes.count {
        let written = write(descriptor, bytes.baseAddress! + done, bytes.count - done)
        if written < 0 {
            if errno == EINTR { continue }
            return false
        }
        done += written
    }
    return true
}
