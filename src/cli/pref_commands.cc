// pref set|get|list|delete|prompt: a project's parametric memory (settings such as
// ("style", "docstring") -> "Google").
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/render.h"
#include "engine/memory_codec.h"
#include "util/json.h"

namespace memd::cli {
namespace json = boost::json;

namespace {

struct PrefOptions {
  std::string category;
  std::string key;
  std::string value;
  std::string description;
};

// VALUE as given when it is JSON (42, true, "x", [1], {...}); otherwise the JSON string of it.
std::string ValueAsJson(const std::string& value) {
  if (ParseJson(value, "value").ok()) return value;
  return engine::ToJsonText(json::string(value));
}

void AddSet(CLI::App& pref, Action* selected) {
  auto o = std::make_shared<PrefOptions>();
  CLI::App* sub = pref.add_subcommand("set", "Set a preference (creating the project if needed)");
  sub->add_option("category", o->category, "Category, e.g. style")->type_name("CATEGORY")->required();
  sub->add_option("key", o->key, "Key within the category, e.g. docstring")->type_name("KEY")->required();
  sub->add_option("value", o->value, "JSON if it parses as JSON (42, true, [1,2], \"x\"), else a plain string")
      ->type_name("VALUE")
      ->required();
  sub->add_option("--description", o->description, "What the preference means, for people and prompts")->type_name("TEXT");
  OnParsed(sub, selected, [o](CommandContext& ctx) -> Status {
    MEMD_ASSIGN_OR_RETURN(Engine * engine, ctx.engine());
    MEMD_ASSIGN_OR_RETURN(Preference p, engine->SetPreference(ctx.cube(), o->category, o->key, ValueAsJson(o->value),
                                                              o->description));
    if (ctx.out().json()) {
      ctx.out().Json(engine::EncodePreference(p));
    } else {
      ctx.out().Text("set " + p.category + "/" + p.key + " = " + p.value);
    }
    return Status::OK();
  });
}

void AddGet(CLI::App& pref, Action* selected) {
  auto o = std::make_shared<PrefOptions>();
  CLI::App* sub = pref.add_subcommand("get", "Print one preference's value (as JSON)");
  sub->add_option("category", o->category, "Category")->type_name("CATEGORY")->required();
  sub->add_option("key", o->key, "Key")->type_name("KEY")->required();
  OnParsed(sub, selected, [o](CommandContext& ctx) -> Status {
    MEMD_ASSIGN_OR_RETURN(Engine * engine, ctx.engine());
    MEMD_ASSIGN_OR_RETURN(Preference p, engine->GetPreference(ctx.cube(), o->category, o->key));
    if (ctx.out().json()) {
      ctx.out().Json(engine::EncodePreference(p));
    } else {
      ctx.out().Text(p.value);
    }
    return Status::OK();
  });
}

void AddList(CLI::App& pref, Action* selected) {
  auto category = std::make_shared<std::string>();
  CLI::App* sub = pref.add_subcommand("list", "List preferences by category and key");
  sub->add_option("--category", *category, "Only this category")->type_name("CATEGORY");
  OnParsed(sub, selected, [category](CommandContext& ctx) -> Status {
    MEMD_ASSIGN_OR_RETURN(Engine * engine, ctx.engine());
    MEMD_ASSIGN_OR_RETURN(std::vector<Preference> prefs, engine->ListPreferences(ctx.cube(), *category));
    if (ctx.out().json()) {
      json::array items;
      for (const Preference& p : prefs) items.push_back(engine::EncodePreference(p));
      ctx.out().Json(json::object{{"preferences", std::move(items)}});
    } else if (prefs.empty()) {
      ctx.out().Text("(no preferences)");
    } else {
      ctx.out().out() << RenderPreferenceTable(prefs);
    }
    return Status::OK();
  });
}

void AddDelete(CLI::App& pref, Action* selected) {
  auto o = std::make_shared<PrefOptions>();
  CLI::App* sub = pref.add_subcommand("delete", "Delete one preference");
  sub->add_option("category", o->category, "Category")->type_name("CATEGORY")->required();
  sub->add_option("key", o->key, "Key")->type_name("KEY")->required();
  OnParsed(sub, selected, [o](CommandContext& ctx) -> Status {
    MEMD_ASSIGN_OR_RETURN(Engine * engine, ctx.engine());
    MEMD_RETURN_IF_ERROR(engine->DeletePreference(ctx.cube(), o->category, o->key));
    if (ctx.out().json()) {
      ctx.out().Json(json::object{{"deleted", json::object{{"category", o->category}, {"key", o->key}}}});
    } else {
      ctx.out().Text("deleted " + o->category + "/" + o->key);
    }
    return Status::OK();
  });
}

void AddPrompt(CLI::App& pref, Action* selected) {
  CLI::App* sub = pref.add_subcommand("prompt", "Print the preferences as a block for a prompt");
  OnParsed(sub, selected, [](CommandContext& ctx) -> Status {
    MEMD_ASSIGN_OR_RETURN(Engine * engine, ctx.engine());
    MEMD_ASSIGN_OR_RETURN(std::string text, engine->FormatPreferencesForPrompt(ctx.cube()));
    if (ctx.out().json()) {
      ctx.out().Json(json::object{{"text", text}});
    } else if (text.empty()) {
      ctx.out().Note("(no preferences)");
    } else {
      ctx.out().Text(text);
    }
    return Status::OK();
  });
}

}  // namespace

void AddPreferenceCommands(CLI::App& app, Action* selected) {
  CLI::App* pref = app.add_subcommand("pref", "Project preferences: set, get, list, delete, prompt");
  AddSet(*pref, selected);
  AddGet(*pref, selected);
  AddList(*pref, selected);
  AddDelete(*pref, selected);
  AddPrompt(*pref, selected);
}

}  // namespace memd::cli
