# Lake Formation data access roles: Lake Formation documents a trust of both lakeformation and glue
# for the role that registers a data location, so the "lake-formation" principal set keeps PR002
# quiet for the raw-zone role. The curated-zone role also trusts EC2, which is no part of that set:
# PR002 at the EC2 principal.
resource "aws_iam_role" "raw" {
  name = "lake-raw-access"
  path = "/lake/"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = ["sts:AssumeRole", "sts:SetContext"]
      Principal = { Service = ["lakeformation.amazonaws.com", "glue.amazonaws.com"] }
    }]
  })
}

resource "aws_iam_role" "curated" {
  name = "lake-curated-access"
  path = "/lake/"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect = "Allow"
      Action = "sts:AssumeRole"
      Principal = {
        Service = [
          "lakeformation.amazonaws.com",
          "ec2.amazonaws.com",
        ]
      }
    }]
  })
}

resource "aws_lakeformation_resource" "raw" {
  arn      = "arn:aws:s3:::example-lake-raw"
  role_arn = aws_iam_role.raw.arn
}

resource "aws_lakeformation_resource" "curated" {
  arn      = "arn:aws:s3:::example-lake-curated"
  role_arn = aws_iam_role.curated.arn
}
