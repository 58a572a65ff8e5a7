#include "compiler/jit/jit.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <optional>
#include <cmath>
#include <cstring>

#include <dlfcn.h>
#include <sys/stat.h>
#include <mutex>
#include <stdexcept>

#include <fmt/format.h>
#include <llvm/Bitcode/BitcodeWriter.h>
#include <llvm/Config/llvm-config.h>
#include <llvm/ExecutionEngine/Orc/CompileUtils.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Passes/StandardInstrumentations.h>
#include <llvm/Support/BLAKE3.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>

#include "compiler/jit/object_cache.hpp"
#include "compiler/jit/tiers.hpp"

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

llvm::orc::JITTargetMachineBuilder host_builder(int level) {
  auto jtmb = unwrap(llvm::orc::JITTargetMachineBuilder::detectHost(), "cannot detect the host");
  jtmb.setCodeGenOptLevel(level <= 0 ? llvm::CodeGenOptLevel::None : llvm::CodeGenOptLevel::Default);
  // The small code model, position-independent, as LLJIT itself configures JITLink (which
  // links our objects: calls to the runtime go through its stubs). A JIT's default on
  // x86-64 is the large model, whose 64-bit absolute addresses fast instruction selection
  // cannot take: 1,533 of the AI web's instructions fell back to SelectionDAG, and the cheap
  // tier's compile was 82 ms against 47 ms now.
  jtmb.setCodeModel(llvm::CodeModel::Small);
  jtmb.setRelocationModel(llvm::Reloc::PIC_);
  return jtmb;
}

std::unique_ptr<llvm::TargetMachine> host_machine(int level = 2) {
  return unwrap(host_builder(level).createTargetMachine(), "cannot create a target machine");
}

// The O1–O3 pipelines skip functions marked `optnone` (the cold ones: initialisation,
// default handling) only with the standard instrumentation registered; their
// instruction selection then takes LLVM's fast path too. Two tiers in one module.
void optimize(llvm::Module& m, llvm::TargetMachine* tm, int level) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassInstrumentationCallbacks pic;
  llvm::StandardInstrumentations si(m.getContext(), /*DebugLogging=*/false);
  si.registerCallbacks(pic, &mam);
  // Called-value propagation annotates indirect calls with their possible callees, and the
  // generated code makes none; it was 4% of the AI web's compile (its sparse propagation
  // walks every function, the optnone ones too).
  pic.registerShouldRunOptionalPassCallback(
      [](llvm::StringRef pass, llvm::Any) { return pass != "CalledValuePropagationPass"; });
  llvm::PassBuilder pb(tm, llvm::PipelineTuningOptions(), std::nullopt, &pic);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::OptimizationLevel ol = level <= 0   ? llvm::OptimizationLevel::O0
                               : level == 1 ? llvm::OptimizationLevel::O1
                               : level == 2 ? llvm::OptimizationLevel::O2
                                            : llvm::OptimizationLevel::O3;
  llvm::ModulePassManager mpm = level <= 0 ? pb.buildO0DefaultPipeline(ol) : pb.buildPerModuleDefaultPipeline(ol);
  mpm.run(m, mam);
}

// Generates and verifies the module for the host (not yet optimised).
codegen::Generated generate(const check::Program& program, llvm::TargetMachine& tm) {
  codegen::Generated g = codegen::generate(program);
  g.module->setDataLayout(tm.createDataLayout());
  g.module->setTargetTriple(tm.getTargetTriple().str());
  std::string problems;
  llvm::raw_string_ostream os(problems);
  if (llvm::verifyModule(*g.module, &os))
    throw std::runtime_error("internal error: the generated IR is invalid:\n" + problems);
  return g;
}

// Generates, verifies and optimises the module for the host.
codegen::Generated build(const check::Program& program, llvm::TargetMachine& tm, int level) {
  codegen::Generated g = generate(program, tm);
  optimize(*g.module, &tm, level);
  return g;
}

std::string to_hex(const std::array<uint8_t, 32>& d) {
  std::string s;
  for (uint8_t b : d) s += fmt::format("{:02x}", b);
  return s;
}

// A digest of the generated IR (as bitcode: cheaper than text).
std::string module_digest(const llvm::Module& m) {
  llvm::SmallVector<char, 0> bitcode;
  llvm::raw_svector_ostream os(bitcode);
  llvm::WriteBitcodeToFile(m, os);
  llvm::BLAKE3 h;
  h.update(llvm::StringRef(bitcode.data(), bitcode.size()));
  return to_hex(h.final());
}

// The object cache's key: everything the native code depends on — the generated IR's
// digest, the LLVM version, the target and the optimisation level.
std::string cache_key(const std::string& module_digest, const llvm::TargetMachine& tm, int level) {
  llvm::BLAKE3 h;
  h.update(fmt::format("deal objects v4|LLVM {}|{}|{}|{}|O{}|", LLVM_VERSION_STRING, tm.getTargetTriple().str(),
                       tm.getTargetCPU().str(), tm.getTargetFeatureString().str(), level));
  h.update(module_digest);
  return to_hex(h.final());
}

// The build of the code generator: the file holding this code (the executable or
// libdeal.so), its size and modification time. Empty when it cannot be found.
const std::string& build_stamp() {
  static const std::string stamp = [] {
    Dl_info info{};
    struct stat st {};
    if (!dladdr(reinterpret_cast<void*>(&build_stamp), &info) || !info.dli_fname || stat(info.dli_fname, &st) != 0)
      return std::string();
    return fmt::format("{}|{}|{}.{:09}", info.dli_fname, st.st_size, st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
  }();
  return stamp;
}

// The key of a program's entry (JitOptions::program_key): no IR needed.
std::string program_cache_key(const std::string& program_key, const llvm::TargetMachine& tm, int level) {
  llvm::BLAKE3 h;
  h.update(fmt::format("deal program v3|{}|LLVM {}|{}|{}|{}|O{}|", build_stamp(), LLVM_VERSION_STRING,
                       tm.getTargetTriple().str(), tm.getTargetCPU().str(), tm.getTargetFeatureString().str(), level));
  h.update(program_key);
  return to_hex(h.final());
}

// A program's entry: its sites and emit sites, then the object. Little-endian fields;
// decode() rejects anything malformed (the entry is then compiled afresh).
struct EntryWriter {
  std::string out;
  void u32(uint32_t v) { out.append(reinterpret_cast<const char*>(&v), 4); }
  void str(const std::string& s) {
    u32(uint32_t(s.size()));
    out += s;
  }
  void span(const Span& s) {
    for (uint32_t v : {s.file, s.line, s.col, s.end_line, s.end_col}) u32(v);
  }
};

struct EntryReader {
  std::string_view in;
  bool ok = true;
  uint32_t u32() {
    if (in.size() < 4) {
      ok = false;
      return 0;
    }
    uint32_t v;
    std::memcpy(&v, in.data(), 4);
    in.remove_prefix(4);
    return v;
  }
  // A count of items at least `min_bytes` long each: bounded by what is left.
  uint32_t count(size_t min_bytes) {
    uint32_t n = u32();
    if (size_t(n) * min_bytes > in.size()) ok = false;
    return ok ? n : 0;
  }
  std::string str() {
    uint32_t n = u32();
    if (!ok || n > in.size()) {
      ok = false;
      return {};
    }
    std::string s(in.substr(0, n));
    in.remove_prefix(n);
    return s;
  }
  Span span() {
    Span s;
    s.file = u32();
    s.line = u32();
    s.col = u32();
    s.end_line = u32();
    s.end_col = u32();
    return s;
  }
};

std::string encode_entry(const std::vector<codegen::Site>& sites, const std::vector<codegen::EmitSite>& emits,
                         std::string_view object) {
  EntryWriter w;
  w.u32(uint32_t(sites.size()));
  for (const auto& s : sites) {
    w.str(s.name);
    w.span(s.span);
  }
  w.u32(uint32_t(emits.size()));
  for (const auto& e : emits) {
    w.u32(uint32_t(e.pieces.size()));
    for (const auto& p : e.pieces) w.str(p);
    w.u32(uint32_t(e.types.size()));
    for (const auto& t : e.types) {
      w.u32(uint32_t(t.kind));
      w.u32(uint32_t(t.dim.exps.size()));
      for (int x : t.dim.exps) w.u32(uint32_t(x));
    }
    w.span(e.span);
  }
  w.out += object;
  return std::move(w.out);
}

bool decode_entry(std::string_view blob, std::vector<codegen::Site>& sites, std::vector<codegen::EmitSite>& emits,
                  std::string_view& object) {
  EntryReader r{blob};
  for (uint32_t n = r.count(24), i = 0; r.ok && i < n; ++i) {
    codegen::Site s;
    s.name = r.str();
    s.span = r.span();
    sites.push_back(std::move(s));
  }
  for (uint32_t n = r.count(28), i = 0; r.ok && i < n; ++i) {
    codegen::EmitSite e;
    for (uint32_t k = r.count(4), j = 0; r.ok && j < k; ++j) e.pieces.push_back(r.str());
    for (uint32_t k = r.count(8), j = 0; r.ok && j < k; ++j) {
      check::Type t;
      uint32_t kind = r.u32();
      if (kind > uint32_t(check::Kind::Error)) r.ok = false;
      t.kind = check::Kind(kind);
      for (uint32_t x = r.count(4), y = 0; r.ok && y < x; ++y) t.dim.exps.push_back(int(int32_t(r.u32())));
      e.types.push_back(std::move(t));
    }
    e.span = r.span();
    emits.push_back(std::move(e));
  }
  object = r.in;
  return r.ok && !object.empty();
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
    map[jit.mangleAndIntern(name)] = llvm::orc::ExecutorSymbolDef(
        llvm::orc::ExecutorAddr::fromPtr(addr), llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable);
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

// An object linked by its own LLJIT. The process-symbols JITDylib holds exactly the
// runtime table and a few libm functions, bound by address: generated code can reach
// nothing else in the process.
struct Linked {
  std::unique_ptr<llvm::orc::LLJIT> jit;
  // Errors ORC meets while materialising code (an unresolved symbol, say) are collected
  // and reported with the lookup that failed, instead of going to stderr on their own.
  std::shared_ptr<std::string> orc_errors = std::make_shared<std::string>();

  void* lookup(const std::string& name) {
    auto addr = jit->lookup(name);
    if (!addr) {
      std::string why = to_string(addr.takeError());
      if (!orc_errors->empty()) why += "\n" + *orc_errors;
      throw std::runtime_error(fmt::format("internal error: cannot compile the generated function {}: {}", name, why));
    }
    return addr->toPtr<void*>();
  }
};

using Objects = std::vector<std::unique_ptr<llvm::MemoryBuffer>>;

// Native code for the optimised module, one object per tier (tiers.hpp): the step code
// with the code generator at the program's level, the cold code at CodeGenOptLevel::None
// (it runs once per path or rarely: fast register allocation, no machine-code passes).
Objects compile_tiers(llvm::Module& m, llvm::TargetMachine& tm, int level) {
  std::unique_ptr<llvm::Module> cold = level > 0 ? split_cold(m) : nullptr;
  Objects objects;
  objects.push_back(unwrap(llvm::orc::SimpleCompiler(tm)(m), "cannot compile the generated module"));
  if (cold) {
    auto cold_tm = host_machine(0);
    objects.push_back(unwrap(llvm::orc::SimpleCompiler(*cold_tm)(*cold), "cannot compile the generated module"));
  }
  return objects;
}

std::string pack(const Objects& objects) {
  std::vector<std::string_view> views;
  for (const auto& o : objects) views.emplace_back(o->getBufferStart(), o->getBufferSize());
  return pack_objects(views);
}

// The objects of a cache entry (pack); empty when it is malformed.
Objects unpack(std::string_view packed) {
  std::vector<std::string_view> views;
  Objects objects;
  if (!unpack_objects(packed, views)) return objects;
  for (std::string_view v : views)
    objects.push_back(llvm::MemoryBuffer::getMemBufferCopy(llvm::StringRef(v.data(), v.size()), "deal-cached-object"));
  return objects;
}

Linked link(Objects objects, const RuntimeSymbols& symbols, int level) {
  llvm::orc::LLJITBuilder builder;
  builder.setJITTargetMachineBuilder(host_builder(level));
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
  Linked l;
  l.jit = unwrap(builder.create(), "cannot create the JIT");
  l.jit->getExecutionSession().setErrorReporter(
      [errors = l.orc_errors](llvm::Error err) { *errors += to_string(std::move(err)) + "\n"; });
  for (auto& object : objects)
    if (auto err = l.jit->addObjectFile(std::move(object)))
      throw std::runtime_error("cannot add the compiled module: " + to_string(std::move(err)));
  return l;
}

}  // namespace

// What the optimising compile of a cheap tier needs (JitOptions::tier_up).
struct Pending {
  std::string module_key;   // its cache key at the level (empty without a cache or a module)
  std::string program_key;  // the program's cache key at the level (empty without one)
  std::string cache_dir;
  RuntimeSymbols symbols;
  int level = 2;
  size_t scenarios = 0, shocks = 0;  // the entry points the cheap tier bound
  std::vector<codegen::Site> sites;
  std::vector<codegen::EmitSite> emits;
};

struct CompiledProgram::Impl {
  std::unique_ptr<llvm::orc::LLJIT> jit;
  std::unique_ptr<Pending> pending;
};

struct CompiledTracks::Impl {
  std::unique_ptr<llvm::orc::LLJIT> jit;
};

CompiledTracks::CompiledTracks() : impl_(std::make_unique<Impl>()) {}
CompiledTracks::~CompiledTracks() = default;

std::unique_ptr<CompiledTracks> CompiledTracks::compile(const check::Program& program,
                                                        const std::vector<check::HExpr>& exprs, int site_base,
                                                        const RuntimeSymbols& symbols, const JitOptions& options) {
  init_llvm();
  auto t0 = std::chrono::steady_clock::now();
  std::unique_ptr<CompiledTracks> ct(new CompiledTracks());
  // One small function, run for one path: the cheap tier is the fast one.
  const int level = std::min(1, std::clamp(options.opt_level, 0, 3));
  auto tm = host_machine(level);
  codegen::Generated g = codegen::generate_tracks(program, exprs, site_base);
  g.module->setDataLayout(tm->createDataLayout());
  g.module->setTargetTriple(tm->getTargetTriple().str());
  std::string problems;
  llvm::raw_string_ostream os(problems);
  if (llvm::verifyModule(*g.module, &os))
    throw std::runtime_error("internal error: the generated IR is invalid:\n" + problems);
  ct->sites_ = std::move(g.sites);
  optimize(*g.module, tm.get(), level);
  llvm::orc::SimpleCompiler compiler(*tm);
  Objects objects;
  objects.push_back(unwrap(compiler(*g.module), "cannot compile the generated module"));
  Linked linked = link(std::move(objects), symbols, level);
  ct->fn_ = reinterpret_cast<rt::OutFn>(linked.lookup(codegen::names::eval_track));
  ct->impl_->jit = std::move(linked.jit);
  ct->compile_ms_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return ct;
}

CompiledProgram::CompiledProgram() : impl_(std::make_unique<Impl>()) {}
CompiledProgram::~CompiledProgram() = default;

std::unique_ptr<CompiledProgram> CompiledProgram::compile(const check::Program& program, const RuntimeSymbols& symbols,
                                                          const JitOptions& options) {
  init_llvm();
  auto t0 = std::chrono::steady_clock::now();
  std::unique_ptr<CompiledProgram> cp(new CompiledProgram());
  const int level = std::clamp(options.opt_level, 0, 3);
  // Tier-up compiles the cheap tier (level 0) now, the level's code later.
  const bool tier_up = options.tier_up && level > 0;
  auto tm = host_machine(level);
  std::optional<ObjectCache> cache;
  if (!options.cache_dir.empty()) cache.emplace(options.cache_dir);
  Objects objects;
  bool cheap = false;  // the objects are the cheap tier's

  // A program seen before (same sources, same build of deal): its objects and sites from
  // the cache, without generating the IR — the optimised tier's when there is one.
  std::string program_key, cheap_program_key;
  auto from_program_entry = [&](const std::string& key) {
    auto hit = cache->find(key);
    if (!hit) return false;
    std::string_view bytes;
    std::vector<codegen::Site> sites;
    std::vector<codegen::EmitSite> emits;
    if (decode_entry(*hit, sites, emits, bytes)) objects = unpack(bytes);
    if (objects.empty()) return false;
    cp->sites_ = std::move(sites);
    cp->emits_ = std::move(emits);
    return true;
  };
  if (cache && !options.program_key.empty() && !build_stamp().empty()) {
    program_key = program_cache_key(options.program_key, *tm, level);
    if (tier_up) cheap_program_key = program_cache_key(options.program_key, *tm, 0);
    if (!from_program_entry(program_key) && tier_up) cheap = from_program_entry(cheap_program_key);
    cp->from_cache_ = !objects.empty();
  }
  codegen::Generated g;
  std::string key;
  if (objects.empty()) {
    g = generate(program, *tm);
    cp->sites_ = g.sites;
    cp->emits_ = g.emits;
    // Native code: from the cache when this exact module was compiled before, else
    // optimised and compiled here (and cached). A cheap tier with a program entry skips
    // the module's digest (writing its bitcode was 6 ms of the AI web's 60): the entry is
    // what finds it next time, and optimise() digests the module on its own thread.
    std::string digest, cheap_key;
    if (cache && !(tier_up && !program_key.empty())) {
      digest = module_digest(*g.module);
      key = cache_key(digest, *tm, level);
      if (auto hit = cache->find(key)) objects = unpack(*hit);
      if (objects.empty() && tier_up) {
        cheap_key = cache_key(digest, *tm, 0);
        if (auto hit = cache->find(cheap_key)) objects = unpack(*hit);
        cheap = !objects.empty();
      }
    }
    cp->from_cache_ = !objects.empty();
    if (objects.empty() && tier_up) {
      // The cheap tier from this module; optimise() generates it again (on its own thread,
      // and cheaper than copying it here).
      auto cheap_tm = host_machine(0);
      optimize(*g.module, cheap_tm.get(), 0);
      objects = compile_tiers(*g.module, *cheap_tm, 0);
      cheap = true;
      if (!cheap_key.empty()) cache->store(cheap_key, pack(objects));
    } else if (objects.empty()) {
      optimize(*g.module, tm.get(), level);
      objects = compile_tiers(*g.module, *tm, level);
      if (!key.empty()) cache->store(key, pack(objects));
    }
    const std::string& entry_key = cheap ? cheap_program_key : program_key;
    if (!entry_key.empty()) cache->store(entry_key, encode_entry(cp->sites_, cp->emits_, pack(objects)));
  }

  Linked linked = link(std::move(objects), symbols, cheap ? 0 : level);
  cp->bind([&](const std::string& name) { return linked.lookup(name); }, program.scenarios.size(),
           program.shocks.size());
  cp->impl_->jit = std::move(linked.jit);
  if (cheap) {
    auto p = std::make_unique<Pending>();
    p->module_key = key;
    p->program_key = program_key;
    p->cache_dir = options.cache_dir;
    p->symbols = symbols;
    p->level = level;
    p->scenarios = program.scenarios.size();
    p->shocks = program.shocks.size();
    p->sites = cp->sites_;
    p->emits = cp->emits_;
    cp->impl_->pending = std::move(p);
  }
  cp->compile_ms_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return cp;
}

void CompiledProgram::bind(const std::function<void*(const std::string&)>& lookup, size_t scenarios, size_t shocks) {
  for (size_t k = 0; k < scenarios; ++k) {
    inits_.push_back(reinterpret_cast<rt::InitFn>(lookup(codegen::names::init(int(k)))));
    tracks_.push_back(reinterpret_cast<rt::OutFn>(lookup(codegen::names::track(int(k)))));
  }
  for (size_t s = 0; s < shocks; ++s) {
    shock_at_.push_back(reinterpret_cast<rt::PhaseFn>(lookup(codegen::names::shock_at(int(s)))));
    shock_deals_.push_back(reinterpret_cast<rt::PhaseFn>(lookup(codegen::names::shock_deals(int(s)))));
    shock_deal_triggers_.push_back(reinterpret_cast<rt::PhaseFn>(lookup(codegen::names::shock_deal_triggers(int(s)))));
    shock_triggers_.push_back(reinterpret_cast<rt::PhaseFn>(lookup(codegen::names::shock_triggers(int(s)))));
  }
  parties_step_ = reinterpret_cast<rt::PhaseFn>(lookup(codegen::names::parties_step));
  deals_step_ = reinterpret_cast<rt::PhaseFn>(lookup(codegen::names::deals_step));
  deal_triggers_ = reinterpret_cast<rt::PhaseFn>(lookup(codegen::names::deal_triggers));
  on_default_ = reinterpret_cast<rt::OnDefaultFn>(lookup(codegen::names::on_default));
  values_ = reinterpret_cast<rt::OutFn>(lookup(codegen::names::values));
  liquidations_ = reinterpret_cast<rt::OutFn>(lookup(codegen::names::liquidations));
}

bool CompiledProgram::can_optimise() const { return impl_->pending != nullptr; }

std::unique_ptr<CompiledProgram> CompiledProgram::optimise(const check::Program& program) {
  if (!impl_->pending) throw std::runtime_error("internal error: this code has no tier to optimise");
  std::unique_ptr<Pending> p = std::move(impl_->pending);
  auto t0 = std::chrono::steady_clock::now();
  auto tm = host_machine(p->level);
  std::optional<ObjectCache> cache;
  if (!p->cache_dir.empty()) cache.emplace(p->cache_dir);
  // The same module again: codegen is deterministic. A program whose sites differ from the
  // cheap tier's was changed (beyond a detached last scenario) and is refused.
  codegen::Generated g = generate(program, *tm);
  auto same_site = [](const codegen::Site& a, const codegen::Site& b) {
    return a.name == b.name && a.span.file == b.span.file && a.span.line == b.span.line && a.span.col == b.span.col &&
           a.span.end_line == b.span.end_line && a.span.end_col == b.span.end_col;
  };
  if (g.sites.size() != p->sites.size() || g.emits.size() != p->emits.size() ||
      !std::equal(g.sites.begin(), g.sites.end(), p->sites.begin(), same_site))
    throw std::runtime_error("internal error: the program changed after its cheap tier was compiled");
  if (cache && p->module_key.empty()) p->module_key = cache_key(module_digest(*g.module), *tm, p->level);
  llvm::Module& m = *g.module;
  optimize(m, tm.get(), p->level);
  Objects objects = compile_tiers(m, *tm, p->level);
  if (cache) {
    if (!p->module_key.empty()) cache->store(p->module_key, pack(objects));
    if (!p->program_key.empty()) cache->store(p->program_key, encode_entry(p->sites, p->emits, pack(objects)));
  }
  std::unique_ptr<CompiledProgram> cp(new CompiledProgram());
  Linked linked = link(std::move(objects), p->symbols, p->level);
  cp->bind([&](const std::string& name) { return linked.lookup(name); },
           std::min(p->scenarios, program.scenarios.size()), p->shocks);
  cp->impl_->jit = std::move(linked.jit);
  cp->sites_ = std::move(p->sites);
  cp->emits_ = std::move(p->emits);
  cp->compile_ms_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return cp;
}

std::string digest(std::string_view text) {
  llvm::BLAKE3 h;
  h.update(llvm::StringRef(text.data(), text.size()));
  return to_hex(h.final());
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
