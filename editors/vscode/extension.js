// The VS Code client of `deal lsp`: starts the server over stdio for .deal files. All the
// language knowledge is in the server (the deal binary); this file only wires it up.
"use strict";
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function serverOptions() {
  const config = vscode.workspace.getConfiguration("deal");
  const args = ["lsp"];
  for (const dir of config.get("importPaths", [])) args.push("--import-path", dir);
  return { command: config.get("path", "deal"), args };
}

async function start(context) {
  client = new LanguageClient("deal", "deal language server", serverOptions(), {
    documentSelector: [{ scheme: "file", language: "deal" }, { scheme: "untitled", language: "deal" }],
  });
  await client.start();
}

async function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand("deal.restartServer", async () => {
      if (client) await client.stop();
      await start(context);
    }),
  );
  try {
    await start(context);
  } catch (e) {
    vscode.window.showErrorMessage(
      `deal: could not start \`${serverOptions().command} lsp\` (${e.message}); set deal.path to the deal executable`,
    );
  }
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
