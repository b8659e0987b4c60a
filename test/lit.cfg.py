# -*- Python -*-
import os

import lit.formats
import lit.util
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "TESSERA"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".tess", ".test", ".c"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.tessera_obj_root, "test")

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.tessera_tools_dir, append_path=True)

# Tests use Debian's interpreter, the one python3-numpy is installed for.
config.substitutions.append(("%python", "/usr/bin/python3"))
config.substitutions.append(("%cc", config.c_compiler))
config.substitutions.append(("%cxx", config.cxx_compiler))
config.substitutions.append(("%cmake", config.cmake_command))
config.substitutions.append(("%tessera_build", config.tessera_obj_root))
# Programs that link libTessera (the embedding API) are built with its
# sanitizers in a sanitizer build, and find it in the build tree's lib/.
sanitize_flags = ("-fsanitize=" + config.tessera_sanitize
                  if config.tessera_sanitize else "")
config.substitutions.append(("%sanitize_flags", sanitize_flags))
config.substitutions.append(("%build_generator", config.cmake_generator))
capi_flags = "-I%s/capi/include -L%s -lTessera -Wl,-rpath,%s" % (
    config.tessera_src_root, config.tessera_lib_dir, config.tessera_lib_dir)
capi_flags += " " + sanitize_flags
config.substitutions.append(("%capi_flags", capi_flags))
config.substitutions.append(("%tessera_src", config.tessera_src_root))
config.substitutions.append(
    ("%npcheck", "/usr/bin/python3 " +
     os.path.join(config.tessera_src_root, "test", "Integration", "npcheck.py")))

tools = ["tess-opt", "tessc", "tess-run", "tess-repl", "TesseraUnitTests"]
llvm_config.add_tool_substitutions(
    tools, [config.tessera_tools_dir, config.llvm_tools_dir])

# Tests that create device nodes with mknod (in their own scratch folders)
# need root.
if hasattr(os, "geteuid") and os.geteuid() == 0:
    config.available_features.add("root")

# Sanitizer builds (-DTESSERA_SANITIZE=..., docs/reliability.md): every test
# process gets these options; options of your own in the same variables come
# after ours and win. abort_on_error turns every report into SIGABRT, so that
# `not tessc ...` cannot mistake a sanitizer report for an expected failure.
if config.tessera_sanitize:
    suppressions = os.path.join(config.tessera_src_root, "scripts",
                                "lsan.supp")
    sanitizer_options = {
        "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=1"
                        ":check_initialization_order=1:strict_init_order=1"
                        ":detect_stack_use_after_return=1"
                        # Huge allocations fail as with plain malloc; the code
                        # reports that (HostTensor::create).
                        ":allocator_may_return_null=1"
                        # LLVM's BumpPtrAllocator poisons its slabs in our
                        # instrumented copies of its inline code, which the
                        # uninstrumented MLIR libraries then write to.
                        ":allow_user_poisoning=0",
        "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1:abort_on_error=1",
        "LSAN_OPTIONS": "suppressions=" + suppressions,
    }
    for var, value in sanitizer_options.items():
        extra = os.environ.get(var)
        config.environment[var] = value + (":" + extra if extra else "")
    config.environment["ASAN_SYMBOLIZER_PATH"] = os.path.join(
        config.llvm_tools_dir, "llvm-symbolizer")
    config.available_features.add("sanitizer")
    if "address" in config.tessera_sanitize:
        config.available_features.add("asan")

# The fuzzers exist in sanitizer builds with AddressSanitizer only.
if config.tessera_fuzzers:
    config.available_features.add("fuzzers")
    config.substitutions.append(
        ("%fuzz_seeds", os.path.join(config.tessera_obj_root, "fuzz", "seeds")))
    llvm_config.add_tool_substitutions(["tess-fuzz-frontend", "tess-fuzz-npy"],
                                       [config.tessera_tools_dir])
