package dev.tcxsim.vm.btf;

import java.util.List;

/**
 * One BTF type. Type ids index {@link Btf#type(int)}; id 0 is {@link Void}. Names are resolved
 * from the string table ("" for anonymous types).
 */
public sealed interface BtfType {
    BtfKind kind();

    String name();

    /** id 0: void. */
    record Void() implements BtfType {
        public BtfKind kind() {
            return BtfKind.VOID;
        }

        public String name() {
            return "void";
        }
    }

    /** BTF_KIND_INT; {@code encoding} bit 0 signed, bit 1 char, bit 2 bool. */
    record Int(String name, int size, int encoding, int bitOffset, int bits) implements BtfType {
        public BtfKind kind() {
            return BtfKind.INT;
        }
    }

    /** PTR, TYPEDEF, VOLATILE, CONST, RESTRICT, TYPE_TAG: a kind that only refers to another type. */
    record Ref(BtfKind kind, String name, int type) implements BtfType {
    }

    record Array(int elemType, int indexType, int elemCount) implements BtfType {
        public BtfKind kind() {
            return BtfKind.ARRAY;
        }

        public String name() {
            return "";
        }
    }

    /** A struct or union member; {@code bitfieldSize} is 0 for ordinary members. */
    record Member(String name, int type, int bitOffset, int bitfieldSize) {
    }

    /** STRUCT or UNION. */
    record Composite(BtfKind kind, String name, int size, List<Member> members) implements BtfType {
        public Composite {
            members = List.copyOf(members);
        }
    }

    record EnumValue(String name, long value) {
    }

    /** ENUM or ENUM64. */
    record Enum(BtfKind kind, String name, int size, boolean signed, List<EnumValue> values) implements BtfType {
        public Enum {
            values = List.copyOf(values);
        }
    }

    record Fwd(String name, boolean union) implements BtfType {
        public BtfKind kind() {
            return BtfKind.FWD;
        }
    }

    /** {@code linkage}: 0 static, 1 global, 2 extern. {@code type} is the FUNC_PROTO. */
    record Func(String name, int type, int linkage) implements BtfType {
        public BtfKind kind() {
            return BtfKind.FUNC;
        }
    }

    record Param(String name, int type) {
    }

    record FuncProto(int returnType, List<Param> params) implements BtfType {
        public FuncProto {
            params = List.copyOf(params);
        }

        public BtfKind kind() {
            return BtfKind.FUNC_PROTO;
        }

        public String name() {
            return "";
        }
    }

    /** {@code linkage}: 0 static, 1 global allocated, 2 extern. */
    record Var(String name, int type, int linkage) implements BtfType {
        public BtfKind kind() {
            return BtfKind.VAR;
        }
    }

    /** One variable of a DATASEC: its VAR type id, offset and size in the section. */
    record VarSecInfo(int type, int offset, int size) {
    }

    record DataSec(String name, int size, List<VarSecInfo> vars) implements BtfType {
        public DataSec {
            vars = List.copyOf(vars);
        }

        public BtfKind kind() {
            return BtfKind.DATASEC;
        }
    }

    record Float(String name, int size) implements BtfType {
        public BtfKind kind() {
            return BtfKind.FLOAT;
        }
    }

    /** {@code componentIdx} -1 tags the type itself, else a member or parameter index. */
    record DeclTag(String name, int type, int componentIdx) implements BtfType {
        public BtfKind kind() {
            return BtfKind.DECL_TAG;
        }
    }
}
