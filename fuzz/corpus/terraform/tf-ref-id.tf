# A role's id is its name; CodeBuild accepts a role name as service role: aws_iam_role.NAME.id is
# followed to the role, which trusts CodePipeline rather than CodeBuild. PR001 at the reference.
resource "aws_iam_role" "build" {
  name = "build"
  path = "/ci/"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "codepipeline.amazonaws.com" }
    }]
  })
}

resource "aws_codebuild_project" "build" {
  name         = "build"
  service_role = aws_iam_role.build.id
  artifacts {
    type = "NO_ARTIFACTS"
  }
  environment {
    compute_type = "BUILD_GENERAL1_SMALL"
    image        = "aws/codebuild/standard:7.0"
    type         = "LINUX_CONTAINER"
  }
  source {
    type = "NO_SOURCE"
  }
}
