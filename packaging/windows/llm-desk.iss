; Inno Setup 6 script for the LLM Desk installer.
; packaging/build.py compiles it after PyInstaller, passing the values below with /D, for example:
;   iscc /DAppVersion=0.1.0 /DSourceDir=dist\llm-desk /DIconFile=build\icons\app.ico packaging\windows\llm-desk.iss
; The installer copies the one-folder bundle. Chats, settings and downloaded models live in the
; user's AppData folders (platformdirs), so an uninstall leaves them in place.

#ifndef AppVersion
  #error Pass the version: /DAppVersion=X.Y.Z
#endif
#ifndef SourceDir
  #error Pass the PyInstaller bundle folder: /DSourceDir=dist\llm-desk
#endif
#ifndef IconFile
  #error Pass the installer icon: /DIconFile=build\icons\app.ico (python packaging\icons.py build\icons writes it)
#endif
#ifndef OutputDir
  #define OutputDir SourcePath + "..\..\dist"
#endif
#ifndef OutputBaseName
  #define OutputBaseName "llm-desk-" + AppVersion + "-windows-setup"
#endif

#define AppName "LLM Desk"
#define AppExe "llm-desk.exe"

[Setup]
; The AppId identifies the app across versions for upgrades and uninstall; never change it.
AppId={{D397B87D-1325-4130-8EF3-E9D8120EB947}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=LLM Desk developers
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; Installs for the current user without elevation; the user may choose all users in a dialog.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir={#OutputDir}
OutputBaseFilename={#OutputBaseName}
SetupIconFile={#IconFile}
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; The app may be running (or its engine child may be) during an upgrade.
CloseApplications=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"
; Simplified Chinese is an official Inno Setup translation only in recent releases.
#if FileExists(CompilerPath + "Languages\ChineseSimplified.isl")
Name: "chinesesimplified"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"
#endif

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
