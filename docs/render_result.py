"""Renders a vproto result as ParaView shows it, for the README's picture.

    python3 docs/render_result.py out/bracket_proof_load/bracket_proof_load_vertical_proof.hdf docs/bracket_von_mises.png

Reads the VTKHDF file with VTK's vtkHDFReader (ParaView 5.11's reader), warps the
part by its displacement (Warp By Vector, scaled so the largest motion is 10 % of the
part), colours it by von Mises stress in MPa and writes an off-screen PNG.
"""
import sys

import vtk


def main(path, png):
    reader = vtk.vtkHDFReader()
    reader.SetFileName(path)
    reader.Update()
    grid = reader.GetOutput()
    size = grid.GetLength()
    umax = grid.GetPointData().GetArray("displacement").GetRange(-1)[1]
    mpa = vtk.vtkArrayCalculator()
    mpa.SetInputData(grid)
    mpa.AddScalarArrayName("von_mises")
    mpa.SetFunction("von_mises*1e-6")
    mpa.SetResultArrayName("von Mises [MPa]")
    warp = vtk.vtkWarpVector()
    warp.SetInputConnection(mpa.GetOutputPort())
    warp.SetInputArrayToProcess(0, 0, 0, 0, "displacement")
    warp.SetScaleFactor(0.1 * size / umax)
    surface = vtk.vtkDataSetSurfaceFilter()
    surface.SetInputConnection(warp.GetOutputPort())
    surface.Update()
    stress = surface.GetOutput().GetPointData().GetArray("von Mises [MPa]")
    lut = vtk.vtkLookupTable()
    lut.SetHueRange(0.667, 0.0)
    lut.Build()
    mapper = vtk.vtkDataSetMapper()
    mapper.SetInputConnection(surface.GetOutputPort())
    mapper.SetScalarModeToUsePointFieldData()
    mapper.SelectColorArray("von Mises [MPa]")
    mapper.SetScalarRange(stress.GetRange())
    mapper.SetLookupTable(lut)
    actor = vtk.vtkActor()
    actor.SetMapper(mapper)
    edges = vtk.vtkActor()
    outline = vtk.vtkDataSetMapper()
    outline.SetInputData(grid)
    outline.ScalarVisibilityOff()
    edges.SetMapper(outline)
    edges.GetProperty().SetRepresentationToWireframe()
    edges.GetProperty().SetOpacity(0.15)
    bar = vtk.vtkScalarBarActor()
    bar.SetLookupTable(lut)
    bar.SetTitle("von Mises [MPa]")
    bar.SetNumberOfLabels(5)
    bar.GetTitleTextProperty().SetColor(0, 0, 0)
    bar.GetLabelTextProperty().SetColor(0, 0, 0)
    ren = vtk.vtkRenderer()
    ren.SetBackground(1, 1, 1)
    ren.AddActor(actor)
    ren.AddActor(edges)
    ren.AddViewProp(bar)
    camera = ren.GetActiveCamera()
    camera.SetPosition(1, -1.2, 0.9)
    camera.SetFocalPoint(0, 0, 0)
    camera.SetViewUp(0, 0, 1)
    ren.ResetCamera()
    camera.Zoom(1.3)
    window = vtk.vtkRenderWindow()
    window.SetOffScreenRendering(1)
    window.AddRenderer(ren)
    window.SetSize(900, 560)
    window.Render()
    shot = vtk.vtkWindowToImageFilter()
    shot.SetInput(window)
    shot.Update()
    writer = vtk.vtkPNGWriter()
    writer.SetFileName(png)
    writer.SetInputConnection(shot.GetOutputPort())
    writer.Write()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
