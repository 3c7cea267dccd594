// A non-owning reference to a callable, for callbacks that run before the
// call taking them returns (parallel_for bodies). Unlike std::function it
// never allocates, whatever the callable captures; the callable must outlive
// the FunctionRef (a lambda passed as an argument lives until the call ends).
#pragma once

#include <memory>
#include <type_traits>
#include <utility>

namespace hubwasm {

template <typename Signature>
class FunctionRef;

template <typename R, typename... Args>
class FunctionRef<R(Args...)> {
 public:
  template <typename F, typename = std::enable_if_t<!std::is_same_v<std::decay_t<F>, FunctionRef>>>
  FunctionRef(F&& f)  // NOLINT(google-explicit-constructor): converts like std::function
      : callable_(const_cast<void*>(static_cast<const void*>(std::addressof(f)))),
        call_([](void* c, Args... args) -> R {
          return (*static_cast<std::remove_reference_t<F>*>(c))(std::forward<Args>(args)...);
        }) {}

  R operator()(Args... args) const { return call_(callable_, std::forward<Args>(args)...); }

 private:
  void* callable_;
  R (*call_)(void*, Args...);
};

}  // namespace hubwasm
