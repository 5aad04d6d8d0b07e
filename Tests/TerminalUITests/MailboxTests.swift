import Foundation
import Testing
import TerminalUI

@Suite struct MailboxTests {
    @Test func postWakesAndDrainReturnsEverythingInOrder() throws {
        let mailbox = try #require(Mailbox<Int>())
        #expect(!mailbox.waitForWake(timeout: 0))
        mailbox.post(1)
        mailbox.post(contentsOf: [2, 3])
        #expect(mailbox.waitForWake(timeout: 1))
        #expect(mailbox.count == 3)
        #expect(mailbox.drain() == [1, 2, 3])
        #expect(!mailbox.waitForWake(timeout: 0))
        #expect(mailbox.drain().isEmpty)
    }

    @Test func postsFromManyTasksAllArrive() async throws {
        let mailbox = try #require(Mailbox<Int>())
        await withTaskGroup(of: Void.self) { group in
            for i in 0..<8 {
                group.addTask {
                    for j in 0..<500 { mailbox.post(i * 1000 + j) }
                }
            }
        }
        #expect(mailbox.waitForWake(timeout: 1))
        let all = mailbox.drain()
        #expect(all.count == 4000)
        #expect(Set(all).count == 4000)
    }

    @Test func wakesABlockedWaiter() async throws {
        let mailbox = try #require(Mailbox<String>())
        let poster = Task.detached {
            try await Task.sleep(for: .milliseconds(50))
            mailbox.post("done")
        }
        let start = Date()
        let woke = await Task.detached { mailbox.waitForWake(timeout: 5) }.value
        #expect(woke)
        #expect(Date().timeIntervalSince(start) < 4)
        #expect(mailbox.drain() == ["done"])
        try await poster.value
    }

    @Test func signalWakesWithoutAMessage() throws {
        let mailbox = try #require(Mailbox<Int>())
        mailbox.signal()
        #expect(mailbox.waitForWake(timeout: 0))
        #expect(mailbox.drain().isEmpty)
        #expect(!mailbox.waitForWake(timeout: 0))
    }
}
