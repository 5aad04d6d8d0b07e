import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A thread-safe queue that background tasks post messages into; posting wakes a main loop blocked in `poll()`.
///
/// Give `wakeDescriptor` to the backend (`CursesBackend.addWakeDescriptor(_:)`); when it reports
/// `InputEvent.wake`, call `drain()`. A byte is written to the wake pipe only when the queue goes from empty to
/// non-empty, so the pipe never fills up; always drain after a wake, or later posts will not wake the loop.
public final class Mailbox<Message: Sendable>: @unchecked Sendable {
    /// Guards `queue`.
    private let lock = NSLock()
    /// Messages posted and not yet drained.
    private var queue: [Message] = []
    /// The read end of the wake pipe (non-blocking); poll it for readability.
    public let wakeDescriptor: Int32
    /// The write end of the wake pipe (non-blocking).
    private let writeDescriptor: Int32

    /// Creates a mailbox and its wake pipe; returns nil if the pipe cannot be created.
    public init?() {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return nil }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        wakeDescriptor = fds[0]
        writeDescriptor = fds[1]
    }

    deinit {
        close(wakeDescriptor)
        close(writeDescriptor)
    }

    /// Queues a message and wakes the loop if the queue was empty. Safe from any thread or task.
    public func post(_ message: Message) {
        lock.lock()
        let wasEmpty = queue.isEmpty
        queue.append(message)
        lock.unlock()
        if wasEmpty { signal() }
    }

    /// Queues several messages at once.
    public func post(contentsOf messages: [Message]) {
        guard !messages.isEmpty else { return }
        lock.lock()
        let wasEmpty = queue.isEmpty
        queue.append(contentsOf: messages)
        lock.unlock()
        if wasEmpty { signal() }
    }

    /// Wakes the loop without a message.
    public func signal() {
        var byte: UInt8 = 1
        _ = write(writeDescriptor, &byte, 1)
    }

    /// Returns every queued message, oldest first, and empties the queue and the wake pipe.
    public func drain() -> [Message] {
        clearWakeSignal()
        lock.lock()
        let messages = queue
        queue.removeAll(keepingCapacity: true)
        lock.unlock()
        return messages
    }

    /// Number of queued messages.
    public var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return queue.count
    }

    /// Reads and discards pending wake bytes.
    public func clearWakeSignal() {
        var scratch = [UInt8](repeating: 0, count: 64)
        while read(wakeDescriptor, &scratch, scratch.count) > 0 {}
    }

    /// Blocks up to `timeout` seconds (forever when nil) until the wake pipe is readable; true if it is.
    /// For loops that have no backend, such as tests.
    public func waitForWake(timeout: Double? = nil) -> Bool {
        var pfd = pollfd(fd: wakeDescriptor, events: Int16(POLLIN), revents: 0)
        let ms = timeout.map { Int32(max(0, min(Double(Int32.max), $0 * 1000))) } ?? -1
        while true {
            let r = poll(&pfd, 1, ms)
            if r < 0 && errno == EINTR { continue }
            return r > 0
        }
    }
}
