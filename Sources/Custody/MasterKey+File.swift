import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension MasterKey {
    /// The longest key file read: 64 hex characters with room for a prefix, whitespace and a newline.
    static let maximumKeyFileBytes = 256

    /// Reads the key from a file holding 64 hex characters.
    /// - Throws: `CustodyError.keyFileMissing`, `.keyFileTooOpen` when the group or others may read
    ///   it (the key is then refused, not just warned about), `.keyFileUnusable`, or
    ///   `.invalidMasterKey`.
    public init(contentsOfFile path: String) throws(CustodyError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            if code == ENOENT { throw .keyFileMissing(path: path) }
            throw .keyFileUnusable(path: path, reason: Self.systemMessage(code))
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .keyFileUnusable(path: path, reason: Self.systemMessage(errno)) }
        guard status.st_mode & S_IFMT == S_IFREG else { throw .keyFileUnusable(path: path, reason: "it is not a regular file") }
        guard status.st_mode & 0o077 == 0 else { throw .keyFileTooOpen(path: path, mode: UInt32(status.st_mode)) }

        var contents = [UInt8](repeating: 0, count: Self.maximumKeyFileBytes + 1)
        defer { wipe(&contents) }
        var total = 0
        while total < contents.count {
            let count = contents.withUnsafeMutableBytes { buffer in
                read(descriptor, buffer.baseAddress.map { $0 + total }, buffer.count - total)
            }
            if count > 0 {
                total += count
            } else if count == 0 {
                break
            } else if errno != EINTR {
                throw .keyFileUnusable(path: path, reason: Self.systemMessage(errno))
            }
        }
        guard total <= Self.maximumKeyFileBytes else { throw .invalidMasterKey(source: "the key file \(path)") }
        var text = String(decoding: contents[0..<total], as: UTF8.self)
        defer { text = "" }
        self = try MasterKey(hex: text, source: "the key file \(path)")
    }

    /// Creates a key file holding a new random key as 64 hex characters, readable and writable by
    /// its owner only (0600), creating missing parent folders with 0700, and returns the key.
    /// - Throws: `CustodyError.keyFileExists` rather than overwrite anything, `.keyFileUnusable`
    ///   when the file cannot be written (nothing is left behind), `.cryptoFailure`.
    public static func createKeyFile(at path: String) throws(CustodyError) -> MasterKey {
        let key = try generate()
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        if !folder.isEmpty && !FileManager.default.fileExists(atPath: folder) {
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
            } catch {
                throw .keyFileUnusable(path: path, reason: "its folder could not be created")
            }
        }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            let code = errno
            if code == EEXIST { throw .keyFileExists(path: path) }
            throw .keyFileUnusable(path: path, reason: systemMessage(code))
        }
        var contents = Array((key.revealHex() + "\n").utf8)
        defer { wipe(&contents) }
        var failure: Int32? = nil
        // The umask can only remove permissions; fchmod makes 0600 exact whatever it is.
        if fchmod(descriptor, 0o600) != 0 { failure = errno }
        var written = 0
        while failure == nil && written < contents.count {
            let count = contents.withUnsafeBytes { buffer in
                write(descriptor, buffer.baseAddress.map { $0 + written }, buffer.count - written)
            }
            if count > 0 {
                written += count
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                failure = count < 0 ? errno : EIO
            }
        }
        if failure == nil && fsync(descriptor) != 0 { failure = errno }
        close(descriptor)
        if let failure {
            unlink(path)
            throw .keyFileUnusable(path: path, reason: systemMessage(failure))
        }
        return key
    }

    static func systemMessage(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
