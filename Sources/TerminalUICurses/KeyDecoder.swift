import CNCursesw
import TerminalUI

/// Turns `wget_wch` results into `Key`s.
enum KeyDecoder {
    /// The key for a character returned with status OK.
    static func key(forCharacter value: UInt32) -> Key {
        switch value {
        case 13, 10: return .enter
        case 9: return .tab
        case 27: return .escape
        case 127, 8: return .backspace
        case 0: return .ctrl(" ")
        case 1...26:
            return .ctrl(Character(Unicode.Scalar(UInt8(96 + value))))
        case 28: return .ctrl("\\")
        case 29: return .ctrl("]")
        case 30: return .ctrl("^")
        case 31: return .ctrl("_")
        default:
            guard let scalar = Unicode.Scalar(value), !DisplayWidth.isControl(scalar) else { return .unknown }
            return .character(Character(scalar))
        }
    }

    /// The key for a key code returned with status KEY_CODE_YES, or nil for KEY_RESIZE.
    static func key(forCode code: Int32) -> Key? {
        switch code {
        case CNC_KEY_RESIZE: return nil
        case CNC_KEY_UP: return .up
        case CNC_KEY_DOWN: return .down
        case CNC_KEY_LEFT: return .left
        case CNC_KEY_RIGHT: return .right
        case CNC_KEY_HOME, CNC_KEY_A1: return .home
        case CNC_KEY_END, CNC_KEY_C1: return .end
        case CNC_KEY_PPAGE, CNC_KEY_A3: return .pageUp
        case CNC_KEY_NPAGE, CNC_KEY_C3: return .pageDown
        case CNC_KEY_DC: return .delete
        case CNC_KEY_BACKSPACE: return .backspace
        case CNC_KEY_ENTER: return .enter
        case CNC_KEY_BTAB: return .backTab
        case (CNC_KEY_F0 + 1)...(CNC_KEY_F0 + 63): return .function(Int(code - CNC_KEY_F0))
        default: return .unknown
        }
    }
}
