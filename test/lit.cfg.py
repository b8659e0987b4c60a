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
config.substitutions.append(("%tessera_src", config.tessera_src_root))
config.substitutions.append(
    ("%npcheck", "/usr/bin/python3 " +
     os.path.join(config.tessera_src_root, "test", "Integration", "npcheck.py")))

tools = ["tess-opt", "tessc", "tess-run", "TesseraUnitTests"]
llvm_config.add_tool_substitutions(
    tools, [config.tessera_tools_dir, config.llvm_tools_dir])

# Tests that create device nodes with mknod (in their own scratch folders)
# need root.
if hasattr(os, "geteuid") and os.geteuid() == 0:
    config.available_features.add("root")
