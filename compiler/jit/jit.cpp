#include "compiler/jit/jit.hpp"

#include <chrono>
#include <cmath>
#include <cstring>
#include <mutex>
#include <stdexcept>

#include <fmt/format.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>

namespace deal::jit {

namespace {

void init_llvm() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
}

std::string to_string(llvm::Error err) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << err;
  return s;
}

template <class T>
T unwrap(llvm::Expected<T> v, const char* what) {
  if (!v) throw std::runtime_error(fmt::format("{}: {}", what, to_string(v.takeError())));
  return std::move(*v);
}

std::unique_ptr<llvm::TargetMachine> host_machine() {
  auto jtmb = unwrap(llvm::orc::JITTargetMachineBuilder::detectHost(), "cannot detect the host");
  jtmb.setCodeGenOptLevel(llvm::CodeGenOptLevel::Default);
  return unwrap(jtmb.createTargetMachine(), "cannot create a target machine");
}

void optimize(llvm::Module& m, llvm::TargetMachine* tm, int level) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb(tm);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::OptimizationLevel ol = level <= 0 ? llvm::OptimizationLevel::O0
                             : level == 1 ? llvm::OptimizationLevel::O1
                             : level == 2 ? llvm::OptimizationLevel::O2
                                          : llvm::OptimizationLevel::O3;
  llvm::ModulePassManager mpm = level <= 0 ? pb.buildO0DefaultPipeline(ol) : pb.buildPerModuleDefaultPipeline(ol);
  mpm.run(m, mam);
}

// Generates, verifies and optimises the module for the host.
codegen::Generated build(const check::Program& program, llvm::TargetMachine& tm, int level) {
  codegen::Generated g = codegen::generate(program);
  g.module->setDataLayout(tm.createDataLayout());
  g.module->setTargetTriple(tm.getTargetTriple().str());
  std::string problems;
  llvm::raw_string_ostream os(problems);
  if (llvm::verifyModule(*g.module, &os))
    throw std::runtime_error("internal error: the generated IR is invalid:\n" + problems);
  optimize(*g.module, &tm, level);
  return g;
}

std::string module_text(const llvm::Module& m) {
  std::string s;
  llvm::raw_string_ostream os(s);
  m.print(os, nullptr);
  return s;
}

// C math functions the optimised code may call (LLVM lowers some intrinsics to them).
void add_math(llvm::orc::SymbolMap& map, llvm::orc::LLJIT& jit) {
  auto add = [&](const char* name, void* addr) {
    map[jit.mangleAndIntern(name)] =
        llvm::orc::ExecutorSymbolDef(llvm::orc::ExecutorAddr::fromPtr(addr), llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable);
  };
  using F1 = double (*)(double);
  using F2 = double (*)(double, double);
  add("exp", reinterpret_cast<void*>(static_cast<F1>(&::exp)));
  add("exp2", reinterpret_cast<void*>(static_cast<F1>(&::exp2)));
  add("log", reinterpret_cast<void*>(static_cast<F1>(&::log)));
  add("log2", reinterpret_cast<void*>(static_cast<F1>(&::log2)));
  add("log10", reinterpret_cast<void*>(static_cast<F1>(&::log10)));
  add("sqrt", reinterpret_cast<void*>(static_cast<F1>(&::sqrt)));
  add("floor", reinterpret_cast<void*>(static_cast<F1>(&::floor)));
  add("ceil", reinterpret_cast<void*>(static_cast<F1>(&::ceil)));
  add("round", reinterpret_cast<void*>(static_cast<F1>(&::round)));
  add("trunc", reinterpret_cast<void*>(static_cast<F1>(&::trunc)));
  add("fabs", reinterpret_cast<void*>(static_cast<F1>(&::fabs)));
  add("pow", reinterpret_cast<void*>(static_cast<F2>(&::pow)));
  add("fmin", reinterpret_cast<void*>(static_cast<F2>(&::fmin)));
  add("fmax", reinterpret_cast<void*>(static_cast<F2>(&::fmax)));
  add("memset", reinterpret_cast<void*>(&::memset));
  add("memcpy", reinterpret_cast<void*>(&::memcpy));
}

}  // namespace

struct CompiledProgram::Impl {
  std::unique_ptr<llvm::orc::LLJIT> jit;
};

CompiledProgram::CompiledProgram() : impl_(std::make_unique<Impl>()) {}
CompiledProgram::~CompiledProgram() = default;

std::unique_ptr<CompiledProgram> CompiledProgram::compile(const check::Program& program, const RuntimeSymbols& symbols,
                                                         const JitOptions& options) {
  init_llvm();
  auto t0 = std::chrono::steady_clock::now();
  std::unique_ptr<CompiledProgram> cp(new CompiledProgram());
  auto tm = host_machine();
  codegen::Generated g = build(program, *tm, options.opt_level);
  cp->stores_ = std::move(g.stores);
  cp->emits_ = std::move(g.emits);
  cp->ir_ = module_text(*g.module);

  // The process-symbols JITDylib holds exactly the runtime table and a few libm functions,
  // bound by address: generated code can reach nothing else in the process.
  llvm::orc::LLJITBuilder builder;
  builder.setProcessSymbolsJITDylibSetup([&symbols](llvm::orc::LLJIT& j) -> llvm::Expected<llvm::orc::JITDylibSP> {
    auto& jd = j.getExecutionSession().createBareJITDylib("<deal runtime>");
    llvm::orc::SymbolMap map;
    for (const auto& [name, addr] : symbols)
      map[j.mangleAndIntern(name)] = llvm::orc::ExecutorSymbolDef(
          llvm::orc::ExecutorAddr::fromPtr(addr), llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable);
    add_math(map, j);
    if (auto err = jd.define(llvm::orc::absoluteSymbols(std::move(map)))) return err;
    return &jd;
  });
  auto jit = unwrap(builder.create(), "cannot create the JIT");
  // Errors ORC meets while materialising code (an unresolved symbol, say) are collected
  // and reported with the lookup that failed, instead of going to stderr on their own.
  auto orc_errors = std::make_shared<std::string>();
  jit->getExecutionSession().setErrorReporter([orc_errors](llvm::Error err) {
    *orc_errors += to_string(std::move(err)) + "\n";
  });
  if (auto err = jit->addIRModule(llvm::orc::ThreadSafeModule(std::move(g.module), std::move(g.context))))
    throw std::runtime_error("cannot add the module: " + to_string(std::move(err)));

  auto lookup = [&](const std::string& name) {
    auto addr = jit->lookup(name);
    if (!addr) {
      std::string why = to_string(addr.takeError());
      if (!orc_errors->empty()) why += "\n" + *orc_errors;
      throw std::runtime_error(fmt::format("internal error: cannot compile the generated function {}: {}", name, why));
    }
    return addr->toPtr<void*>();
  };
  for (size_t k = 0; k < program.scenarios.size(); ++k) {
    cp->inits_.push_back(reinterpret_cast<rt::InitFn>(lookup(codegen::names::init(int(k)))));
    cp->tracks_.push_back(reinterpret_cast<rt::OutFn>(lookup(codegen::names::track(int(k)))));
  }
  for (size_t s = 0; s < program.shocks.size(); ++s) {
    cp->shock_at_.push_back(reinterpret_cast<rt::PhaseFn>(lookup(codegen::names::shock_at(int(s)))));
    cp->shock_deals_.push_back(reinterpret_cast<rt::PhaseFn>(lookup(codegen::names::shock_deals(int(s)))));
    cp->shock_deal_triggers_.push_back(reinterpret_cast<rt::PhaseFn>(lookup(codegen::names::shock_deal_triggers(int(s)))));
    cp->shock_triggers_.push_back(reinterpret_cast<rt::PhaseFn>(lookup(codegen::names::shock_triggers(int(s)))));
  }
  cp->parties_step_ = reinterpret_cast<rt::PhaseFn>(lookup(codegen::names::parties_step));
  cp->deals_step_ = reinterpret_cast<rt::PhaseFn>(lookup(codegen::names::deals_step));
  cp->deal_triggers_ = reinterpret_cast<rt::PhaseFn>(lookup(codegen::names::deal_triggers));
  cp->on_default_ = reinterpret_cast<rt::OnDefaultFn>(lookup(codegen::names::on_default));
  cp->values_ = reinterpret_cast<rt::OutFn>(lookup(codegen::names::values));
  cp->impl_->jit = std::move(jit);
  cp->compile_ms_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return cp;
}

std::string emit_ir(const check::Program& program, const JitOptions& options) {
  init_llvm();
  auto tm = host_machine();
  codegen::Generated g = build(program, *tm, options.opt_level);
  return module_text(*g.module);
}

std::string emit_asm(const check::Program& program, const JitOptions& options) {
  init_llvm();
  auto tm = host_machine();
  codegen::Generated g = build(program, *tm, options.opt_level);
  llvm::SmallString<4096> buf;
  llvm::raw_svector_ostream os(buf);
  llvm::legacy::PassManager pm;
  if (tm->addPassesToEmitFile(pm, os, nullptr, llvm::CodeGenFileType::AssemblyFile))
    throw std::runtime_error("this target cannot emit assembly");
  pm.run(*g.module);
  return std::string(buf.str());
}

}  // namespace deal::jit
